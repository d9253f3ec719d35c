import { DeadLetterHeaders, positionKey } from '../../core/index.ts';
import { ParkReasonHeader, ReplayCountHeader } from '../../adapters/kafka/index.ts';

/** What the console keeps of one dead letter: its headers as text, and its key and value cut to a preview. */
export interface DeadLetterEntry {
  /** Where it sits in the dead-letter topic. */
  readonly partition: number;
  readonly offset: bigint;
  /** When it was dead-lettered (the dead letter's timestamp), epoch ms. */
  readonly timestamp: number;
  readonly sourceTopic: string;
  readonly sourcePartition: number | undefined;
  readonly sourceOffset: string | undefined;
  readonly category: string;
  readonly code: string;
  readonly message: string;
  readonly firstFailureAt: number | undefined;
  /** The last failure, else the dead letter's timestamp: the time the pages sort and count by. */
  readonly failedAt: number;
  readonly attempts: number | undefined;
  readonly replayCount: number;
  readonly truncated: boolean;
  readonly parkReason: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
  readonly key: Uint8Array | null;
  /** The first `previewBytes` of the value. */
  readonly preview: Uint8Array;
  readonly valueBytes: number;
}

export interface RawDeadLetter {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint | number;
  readonly key: Uint8Array | null | undefined;
  readonly value: Uint8Array | null | undefined;
  readonly headers: ReadonlyMap<string, Uint8Array>;
}

const decoder = new TextDecoder();
/** Longest header value kept, in characters. */
const maxHeaderChars = 2_048;

const number = (text: string | undefined): number | undefined => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined);
const time = (text: string | undefined): number | undefined => {
  const value = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(value) ? undefined : value;
};

/** A dead letter as the console shows it; a record without the dead-letter headers still shows, as UNKNOWN. */
export function deadLetterEntry(message: RawDeadLetter, previewBytes: number): DeadLetterEntry {
  const headers: [string, string][] = [];
  for (const [name, value] of message.headers) headers.push([name, decoder.decode(value.subarray(0, maxHeaderChars * 4)).slice(0, maxHeaderChars)]);
  const get = (name: string) => headers.find(([n]) => n === name)?.[1];
  const H = DeadLetterHeaders;
  const timestamp = Number(message.timestamp);
  const value = message.value ?? new Uint8Array(0);
  return {
    partition: message.partition,
    offset: message.offset,
    timestamp,
    sourceTopic: get(H.sourceTopic) ?? '(unknown)',
    sourcePartition: number(get(H.sourcePartition)),
    sourceOffset: get(H.sourceOffset),
    category: get(H.category) ?? 'UNKNOWN',
    code: get(H.code) ?? 'UNKNOWN',
    message: get(H.message) ?? '',
    firstFailureAt: time(get(H.firstFailureAt)),
    failedAt: time(get(H.lastFailureAt)) ?? timestamp,
    attempts: number(get(H.attempts)) ?? number(get(H.sourceAttempts)),
    replayCount: number(get(ReplayCountHeader)) ?? 0,
    truncated: get(H.sourceValueTruncated) === 'true',
    parkReason: get(ParkReasonHeader),
    headers,
    key: message.key ? message.key.slice(0, previewBytes) : null,
    preview: value.slice(0, previewBytes),
    valueBytes: value.byteLength,
  };
}

/** The entry's id in URLs and selections: its dead-letter partition and offset. */
export const entryId = (entry: Pick<DeadLetterEntry, 'partition' | 'offset'>): string => `${entry.partition}-${entry.offset}`;

/** The failure tracker's key for the record the dead letter came from, when its position is known. */
export function trackerKey(entry: DeadLetterEntry): string | undefined {
  if (entry.sourcePartition === undefined || entry.sourceOffset === undefined || !/^\d+$/.test(entry.sourceOffset)) return undefined;
  return positionKey(entry.sourceTopic, entry.sourcePartition, BigInt(entry.sourceOffset));
}

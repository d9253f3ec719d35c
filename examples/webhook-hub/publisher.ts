/** A record for the broker: key and headers as text, the value as JSON text. */
export interface OutboundMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type PublishResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error: string;
      /** False when the broker refused the record itself (too large, invalid): sending it again will not help. */
      readonly retryable: boolean;
    };

/** What the relay publishes through; one result per message, in order. Resolves once the broker acknowledged. */
export interface Publisher {
  publish(messages: readonly OutboundMessage[]): Promise<PublishResult[]>;
  close(): Promise<void>;
}

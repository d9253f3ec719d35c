import { ConfigError } from '../../core/index.ts';

/**
 * The subject a writer schema is registered under, as Confluent's serializers name it: `topic` →
 * `<topic>-value` (or `-key`), `record` → the record's fully qualified name, `topic-record` → `<topic>-<record name>`.
 */
export type SubjectNaming = 'topic' | 'record' | 'topic-record';

export const subjectNamings: readonly SubjectNaming[] = ['topic', 'record', 'topic-record'];

export function subjectName(naming: SubjectNaming, topic: string, recordName: string | undefined, isKey = false): string {
  if (naming === 'topic') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (recordName === undefined || recordName === '') {
    throw new ConfigError('subjectNaming', `'${naming}' needs a named schema (an Avro record, a Protobuf message, a JSON Schema with a title); use 'topic'`);
  }
  return naming === 'record' ? recordName : `${topic}-${recordName}`;
}

export function checkSubjectNaming(naming: string): SubjectNaming {
  if ((subjectNamings as readonly string[]).includes(naming)) return naming as SubjectNaming;
  throw new ConfigError('subjectNaming', `'${naming}' is not one of ${subjectNamings.join(', ')}`);
}

import protobuf from 'protobufjs';
import { ConfigError, DeserializationError } from '../../core/index.ts';
import type { Format } from './format.ts';
import { readMessageIndexes, writeMessageIndexes } from './wire.ts';

export interface ProtobufOptions {
  /** The message type the producer writes, fully qualified (`shop.Order`). Default: the schema file's first message. */
  readonly messageName?: string;
}

/** How decoded messages become plain values: 64-bit integers and enums as strings, absent fields with their defaults. */
const asObject: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true };

const messagesOf = (namespace: protobuf.NamespaceBase): protobuf.Type[] =>
  namespace.nestedArray.filter((nested): nested is protobuf.Type => nested instanceof protobuf.Type);

/**
 * Parses a schema as the registry holds it, with the well-known types it imports (`google/protobuf/timestamp.proto`
 * and the others protobufjs ships). Other imports are schema references, not supported yet.
 */
function parseSchema(schema: string): protobuf.IParserResult {
  const parsed = protobuf.parse(schema, { keepCase: true });
  for (const file of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
    const known = protobuf.common.get(file);
    if (!known) throw new ConfigError('schema', `imports ${file}: schemas that import others (schema references) are not supported yet`);
    parsed.root.addJSON(known.nested ?? {});
  }
  return parsed;
}

/** The namespace the file's top-level messages live in: its package, or the root. */
function fileScope(parsed: protobuf.IParserResult): protobuf.NamespaceBase {
  return parsed.package ? (parsed.root.lookup(parsed.package) as protobuf.Namespace) : parsed.root;
}

/** The message at `indexes`: top-level message number, then nested message numbers, in declaration order. */
function messageAt(scope: protobuf.NamespaceBase, indexes: readonly number[]): protobuf.Type {
  let type: protobuf.Type | undefined;
  let within = scope;
  for (const index of indexes) {
    type = messagesOf(within)[index];
    if (!type) {
      const message = `message indexes [${indexes.join(', ')}] name no message of the schema`;
      throw new DeserializationError(message, { reason: message });
    }
    within = type;
  }
  if (!type) throw new DeserializationError('no Protobuf message indexes', { reason: 'no Protobuf message indexes' });
  return type;
}

/** The indexes of `type` within `scope` (the inverse of messageAt). */
function indexesOf(scope: protobuf.NamespaceBase, type: protobuf.Type): number[] {
  const path: number[] = [];
  let current: protobuf.ReflectionObject = type;
  while (current !== scope && current.parent) {
    const parent: protobuf.NamespaceBase = current.parent;
    path.unshift(messagesOf(parent).indexOf(current as protobuf.Type));
    current = parent;
  }
  return path;
}

/** Protobuf through protobufjs; schemas that import others (references) are not supported yet. */
export function protobufFormat<T>(options: ProtobufOptions = {}): Format<T> {
  return {
    name: 'protobuf',
    schemaType: 'PROTOBUF',
    reader(schema) {
      const scope = fileScope(parseSchema(schema));
      const types = new Map<string, protobuf.Type>();
      return (payload) => {
        const { indexes, message } = readMessageIndexes(payload);
        const key = indexes.join(',');
        let type = types.get(key);
        if (!type) {
          type = messageAt(scope, indexes);
          types.set(key, type);
        }
        return type.toObject(type.decode(message), asObject) as T;
      };
    },
    writer(schema) {
      const parsed = parseSchema(schema);
      const scope = fileScope(parsed);
      const name = options.messageName;
      const type = name ? parsed.root.lookupType(name) : messagesOf(scope)[0];
      if (!type) throw new ConfigError('schema', 'the Protobuf schema declares no message');
      return {
        recordName: type.fullName.replace(/^\./, ''),
        prefix: writeMessageIndexes(indexesOf(scope, type)),
        encode: (value) => type.encode(type.fromObject(value as Record<string, unknown>)).finish(),
      };
    },
  };
}

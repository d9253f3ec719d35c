import { ConfigError, ErrorCodes, OrchestronError, messageOf } from '../../core/index.ts';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A schema as the registry holds it. */
export interface RegistrySchema {
  readonly schema: string;
  /** Absent in the registry's answer means Avro. */
  readonly schemaType: SchemaType;
}

/** What the codecs ask of a registry: `SchemaRegistry` over HTTP, or `MemorySchemaRegistry` in one process. */
export interface SchemaRegistryClient {
  /** The schema registered under `id`, or undefined when the registry has none. */
  schemaById(id: number): Promise<RegistrySchema | undefined>;
  /** The id of `schema` under `subject`, registering it first when `register` is set. */
  idOf(subject: string, schema: RegistrySchema, register: boolean): Promise<number>;
}

/** The registry could not be reached or refused a request; retryable when it may answer later (network, 5xx, 429). */
export class SchemaRegistryError extends OrchestronError {
  readonly status: number | undefined;

  constructor(message: string, options: { readonly status?: number; readonly retryable: boolean; readonly cause?: unknown }) {
    super(ErrorCodes.SCHEMA_REGISTRY_ERROR, message, options.retryable, { cause: options.cause });
    this.name = 'SchemaRegistryError';
    this.status = options.status;
  }
}

export interface SchemaRegistryOptions {
  /** Base URL of a Confluent-compatible registry (Confluent, Karapace, Apicurio's `/apis/ccompat/v7`, Redpanda). */
  readonly url: string;
  /** Sent with every request, e.g. `{ authorization: 'Basic …' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long one request may take. Default 10 s. */
  readonly timeoutMs?: number;
  /** Schemas remembered by id, and ids by subject and schema; the oldest goes first. Default 1,000. */
  readonly cacheSize?: number;
}

/** A Map that forgets its oldest entry past `limit`. */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly limit: number;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

export const notRegistered = (subject: string): SchemaRegistryError =>
  new SchemaRegistryError(`the schema is not registered under subject '${subject}' (register it, or set autoRegister)`, { status: 404, retryable: false });

const retryableStatus = (status: number): boolean => status >= 500 || status === 429 || status === 408;

/**
 * A client for the Confluent Schema Registry REST API, over `fetch`: schemas by id (the decode side) and ids by
 * subject (the produce side, registering when asked). Answers are cached; a schema id the registry does not know
 * answers undefined, not an error, so that a record naming it fails alone.
 */
export class SchemaRegistry implements SchemaRegistryClient {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #byId: BoundedMap<number, RegistrySchema>;
  readonly #ids: BoundedMap<string, number>;

  constructor(options: SchemaRegistryOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError('url', `not a URL: '${options.url}' (expected http(s)://host:port of a schema registry)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('url', `protocol ${url.protocol} is not http: or https:`);
    this.url = url.href.replace(/\/+$/, '');
    this.#headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json', ...options.headers };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const cacheSize = options.cacheSize ?? 1_000;
    if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new ConfigError('cacheSize', `${cacheSize} is not a whole number ≥ 1`);
    this.#byId = new BoundedMap(cacheSize);
    this.#ids = new BoundedMap(cacheSize);
  }

  /** The schema registered under `id`, or undefined when the registry answers that there is none. */
  async schemaById(id: number): Promise<RegistrySchema | undefined> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const found = await this.#request<{ schema: string; schemaType?: SchemaType }>('GET', `/schemas/ids/${id}`);
    if (found === undefined) return undefined;
    const schema: RegistrySchema = { schema: found.schema, schemaType: found.schemaType ?? 'AVRO' };
    this.#byId.set(id, schema);
    return schema;
  }

  /** The id of `schema` under `subject`, registering it first when `register` is set (the registry keeps ids stable). */
  async idOf(subject: string, schema: RegistrySchema, register: boolean): Promise<number> {
    const key = `${register ? 'r' : 'l'}\u0000${subject}\u0000${schema.schemaType}\u0000${schema.schema}`;
    const cached = this.#ids.get(key);
    if (cached !== undefined) return cached;
    const body = { schema: schema.schema, ...(schema.schemaType === 'AVRO' ? {} : { schemaType: schema.schemaType }) };
    const path = `/subjects/${encodeURIComponent(subject)}${register ? '/versions' : ''}`;
    const answer = await this.#request<{ id: number }>('POST', path, body);
    if (answer === undefined) throw notRegistered(subject);
    this.#ids.set(key, answer.id);
    this.#byId.set(answer.id, schema);
    return answer.id;
  }

  /** JSON of a 2xx answer, undefined for 404, SchemaRegistryError otherwise. */
  async #request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new SchemaRegistryError(`schema registry ${this.url} unreachable: ${messageOf(error)}`, { retryable: true, cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const detail = text.length > 200 ? `${text.slice(0, 200)}…` : text;
      throw new SchemaRegistryError(`schema registry ${method} ${path} answered ${response.status}: ${detail}`, {
        status: response.status,
        retryable: retryableStatus(response.status),
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new SchemaRegistryError(`schema registry ${method} ${path} answered with invalid JSON`, { status: response.status, retryable: true, cause: error });
    }
  }
}

export const schemaRegistry = (options: SchemaRegistryOptions): SchemaRegistry => new SchemaRegistry(options);

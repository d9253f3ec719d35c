// A small client for Toxiproxy's HTTP API (proxies and toxics), written against its documented REST endpoints.

export const defaultToxiproxyUrl = 'http://127.0.0.1:8474';

/** Toxic types and their attributes, as documented by Toxiproxy (times in ms, except slicer's `delay` in µs). */
export interface ToxicAttributes {
  readonly latency: { readonly latency: number; readonly jitter?: number };
  readonly reset_peer: { readonly timeout: number };
  readonly timeout: { readonly timeout: number };
  /** `rate` in KB/s. */
  readonly bandwidth: { readonly rate: number };
  readonly slicer: { readonly average_size: number; readonly size_variation?: number; readonly delay?: number };
}

export type ToxicType = keyof ToxicAttributes;

/** `upstream` affects client → server bytes, `downstream` server → client. */
export type ToxicStream = 'upstream' | 'downstream';

export interface ToxicSpec<T extends ToxicType = ToxicType> {
  readonly type: T;
  readonly attributes: ToxicAttributes[T];
  /** Default `<type>_<stream>`. */
  readonly name?: string;
  /** Default `downstream`. */
  readonly stream?: ToxicStream;
  /** Share of connections affected, 0 to 1. Default 1. */
  readonly toxicity?: number;
}

export interface ToxicInfo {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: ToxicStream;
  readonly toxicity: number;
  readonly attributes: Record<string, number>;
}

export interface ProxySpec {
  readonly name: string;
  /** `host:port`; port 0 lets Toxiproxy pick a free one (read it back from `Proxy.port`). Default `127.0.0.1:0`. */
  readonly listen?: string;
  /** `host:port` of the real server. */
  readonly upstream: string;
  readonly enabled?: boolean;
}

export interface ProxyInfo {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly ToxicInfo[];
}

/** An error answer of the API, with its HTTP status (404 unknown proxy or toxic, 409 already exists, …). */
export class ToxiproxyError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ToxiproxyError';
    this.status = status;
  }
}

export class Toxiproxy {
  readonly url: string;

  constructor(url: string = process.env.TOXIPROXY_URL ?? defaultToxiproxyUrl) {
    this.url = url.replace(/\/+$/, '');
  }

  async version(): Promise<string> {
    return (await this.request<{ version: string }>('GET', '/version')).version;
  }

  async createProxy(spec: ProxySpec): Promise<Proxy> {
    const info = await this.request<ProxyInfo>('POST', '/proxies', { listen: '127.0.0.1:0', enabled: true, ...spec });
    return new Proxy(this, info);
  }

  async proxies(): Promise<ProxyInfo[]> {
    return Object.values(await this.request<Record<string, ProxyInfo>>('GET', '/proxies'));
  }

  /** Sends one API call; a non-2xx answer throws a ToxiproxyError. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new ToxiproxyError(response.status, `toxiproxy ${method} ${path}: ${response.status} ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** One proxy: its address, its toxics, and switches to take it down and bring it back. */
export class Proxy {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly #api: Toxiproxy;
  readonly #path: string;

  constructor(api: Toxiproxy, info: ProxyInfo) {
    this.#api = api;
    this.name = info.name;
    this.listen = info.listen;
    this.upstream = info.upstream;
    this.#path = `/proxies/${encodeURIComponent(info.name)}`;
  }

  get host(): string {
    return this.listen.slice(0, this.listen.lastIndexOf(':'));
  }

  get port(): number {
    return Number(this.listen.slice(this.listen.lastIndexOf(':') + 1));
  }

  /** A server URL with its host and port replaced by the proxy's. */
  url(serverUrl: string): string {
    const url = new URL(serverUrl);
    url.hostname = this.host;
    url.port = String(this.port);
    return url.toString();
  }

  info(): Promise<ProxyInfo> {
    return this.#api.request<ProxyInfo>('GET', this.#path);
  }

  async addToxic<T extends ToxicType>(spec: ToxicSpec<T>): Promise<ToxicInfo> {
    return this.#api.request<ToxicInfo>('POST', `${this.#path}/toxics`, spec);
  }

  async removeToxic(name: string): Promise<void> {
    await this.#api.request('DELETE', `${this.#path}/toxics/${encodeURIComponent(name)}`);
  }

  async toxics(): Promise<ToxicInfo[]> {
    return this.#api.request<ToxicInfo[]>('GET', `${this.#path}/toxics`);
  }

  /** Takes the proxy down: open connections are closed and new ones refused. */
  async disable(): Promise<void> {
    await this.#api.request('POST', this.#path, { enabled: false });
  }

  async enable(): Promise<void> {
    await this.#api.request('POST', this.#path, { enabled: true });
  }

  async delete(): Promise<void> {
    await this.#api.request('DELETE', this.#path);
  }
}

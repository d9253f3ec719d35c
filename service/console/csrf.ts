import { base64url, sameSecret } from './secret-compare.ts';

const encoder = new TextEncoder();

/**
 * Synchronizer tokens tied to who is asking: an HMAC of the session (or of the basic-auth user) under a key drawn at
 * start. A page embeds the token in its forms; a POST must bring it back and come from the console's own origin.
 */
export class Csrf {
  readonly #key: Promise<CryptoKey>;

  constructor() {
    this.#key = crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
  }

  async token(identity: string): Promise<string> {
    const signature = await crypto.subtle.sign('HMAC', await this.#key, encoder.encode(identity));
    return base64url(new Uint8Array(signature));
  }

  /** Why a POST is refused, or undefined when its token and origin are right. */
  async refusal(request: Request, identity: string, given: string | undefined): Promise<string | undefined> {
    const origin = request.headers.get('origin') ?? originOf(request.headers.get('referer'));
    if (!origin || origin !== new URL(request.url).origin) return 'the request does not come from the console';
    if (!given || !(await sameSecret(given, await this.token(identity)))) return 'the form has expired or was not sent by the console; reload the page';
    return undefined;
  }
}

function originOf(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

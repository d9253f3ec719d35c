import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { authenticate } from './credentials.ts';
import type { ConsoleCredentials } from './credentials.ts';
import type { Csrf } from './csrf.ts';
import type { ConsoleEnv } from './security-headers.ts';
import type { Sessions } from './sessions.ts';
import { loginPage } from './views/login.ts';

export const sessionCookie = 'orchestron_console';

export interface AuthParts {
  readonly base: string;
  readonly credentials: ConsoleCredentials;
  readonly sessions: Sessions;
  readonly csrf: Csrf;
}

/** The user and the identity CSRF tokens are tied to, from a bearer token, basic auth or the session cookie. */
async function whoIs(c: Context<ConsoleEnv>, parts: AuthParts): Promise<{ user: string; identity: string } | undefined> {
  const authorization = c.req.header('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (bearer !== undefined) {
    const user = await authenticate(parts.credentials, { token: bearer });
    return user ? { user, identity: 'bearer' } : undefined;
  }
  const basic = /^Basic\s+(\S+)$/i.exec(authorization)?.[1];
  if (basic !== undefined) {
    let decoded = '';
    try {
      decoded = atob(basic);
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? undefined : await authenticate(parts.credentials, { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    return user ? { user, identity: `basic:${user}` } : undefined;
  }
  const session = getCookie(c, sessionCookie);
  const user = parts.sessions.user(session);
  return user ? { user, identity: `session:${session}` } : undefined;
}

/** The login form and logout, then a guard in front of every other route: HTML readers go to the login page, others get 401. */
export function mountAuth(app: Hono<ConsoleEnv>, parts: AuthParts): void {
  const { base, sessions, csrf } = parts;
  const basicToo = parts.credentials.basic !== undefined;
  app.get('/login', async (c) => c.html(loginPage({ base, nonce: c.get('nonce'), csrf: await csrf.token('login'), basic: basicToo })));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' && form[name] !== '' ? (form[name] as string) : undefined);
    const refused = await csrf.refusal(c.req.raw, 'login', field('_csrf'));
    const nonce = c.get('nonce');
    if (refused) return c.html(loginPage({ base, nonce, csrf: await csrf.token('login'), basic: basicToo, error: refused }), 403);
    const username = field('username');
    const secret = field('password');
    const user = username ? await authenticate(parts.credentials, { username, password: secret }) : await authenticate(parts.credentials, { token: secret });
    if (!user) return c.html(loginPage({ base, nonce, csrf: await csrf.token('login'), basic: basicToo, error: 'wrong credentials' }), 401);
    setCookie(c, sessionCookie, sessions.open(user), {
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      path: base,
      maxAge: Math.floor(sessions.ttlMs / 1000),
    });
    return c.redirect(base, 303);
  });
  const guard: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    const who = await whoIs(c, parts);
    if (!who) {
      if ((c.req.header('accept') ?? '').includes('text/html') && c.req.method === 'GET') return c.redirect(`${base}/login`, 302);
      c.header('www-authenticate', basicToo ? 'Basic realm="orchestron console", charset="UTF-8"' : 'Bearer realm="orchestron console"');
      return c.text('authentication required', 401);
    }
    c.set('user', who.user);
    c.set('identity', who.identity);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = await c.req.parseBody();
      const refused = await csrf.refusal(c.req.raw, who.identity, typeof form._csrf === 'string' ? form._csrf : undefined);
      if (refused) return c.text(refused, 403);
    }
    await next();
  };
  app.use('*', guard);
  app.post('/logout', (c) => {
    sessions.close(getCookie(c, sessionCookie));
    deleteCookie(c, sessionCookie, { path: base });
    return c.redirect(`${base}/login`, 303);
  });
}

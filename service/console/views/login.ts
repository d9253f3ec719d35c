import { html } from 'hono/html';
import { page } from './layout.ts';
import type { Html } from './layout.ts';

/** The only page served without a login. */
export function loginPage(parts: { base: string; nonce: string; csrf: string; basic: boolean; error?: string }): Html {
  return page(
    { base: parts.base, nonce: parts.nonce, title: 'Log in' },
    html`<h1>Log in</h1>${parts.error ? html`<p class="bad" role="alert">${parts.error}</p>` : ''}
<form method="post" action="${parts.base}/login" class="filter">
<input type="hidden" name="_csrf" value="${parts.csrf}">
${parts.basic ? html`<label>User (empty for the token)<input name="username" autocomplete="username"></label>` : ''}
<label>${parts.basic ? 'Password or token' : 'Token'}<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form>`,
  );
}

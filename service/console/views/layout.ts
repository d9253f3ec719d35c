import { html } from 'hono/html';

export type Html = ReturnType<typeof html>;

export interface PageParts {
  readonly base: string;
  readonly nonce: string;
  readonly title: string;
  /** Signed-in user and the CSRF token of the page's forms; absent on the login page. */
  readonly user?: string;
  readonly csrf?: string;
  readonly dlqTopic?: string;
}

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
header{background:#1d2329;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#cfe3ff;text-decoration:none}header .who{margin-left:auto;display:flex;gap:.8em;align-items:center}
main{padding:1em 1.2em;max-width:1200px}h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #dde1e6;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-variant-numeric:tabular-nums}.cols{display:flex;gap:1.2em;flex-wrap:wrap}.cols>div{flex:1;min-width:220px}
form.filter{display:flex;gap:.6em;flex-wrap:wrap;align-items:end;background:#fff;padding:.6em;border:1px solid #dde1e6}
label{display:flex;flex-direction:column;font-size:.85em;color:#4a5560}input,select,button{font:inherit;padding:.2em .4em}
button{background:#1f6feb;color:#fff;border:0;border-radius:3px;padding:.35em .9em;cursor:pointer}button.quiet{background:#5b6670}
pre{background:#fff;border:1px solid #dde1e6;padding:.6em;overflow:auto;max-height:28em;white-space:pre-wrap;word-break:break-all}
.bad{color:#b42318}.ok{color:#067647}.muted{color:#6b7680}.bar{fill:#1f6feb}.note{background:#fff8e1;border:1px solid #f0d58c;padding:.5em .8em}
progress{width:24em;height:1.2em}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;background:#fff;padding:.6em;border:1px solid #dde1e6}dt{color:#4a5560}dd{margin:0}
`;

/** The page shell: navigation, the signed-in user and a logout button, the console's one stylesheet under the page's nonce. */
export function page(parts: PageParts, body: Html): Html {
  const { base, nonce, title, user, csrf, dlqTopic } = parts;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · orchestron console</title><style nonce="${nonce}">${style}</style></head>
<body><header><strong>orchestron console</strong>${
    user
      ? html`<a href="${base}">Failures</a><a href="${base}/replays">Replays &amp; audit</a><a href="${base}/status">Status</a>
<span class="who">${dlqTopic ? html`<span class="muted">${dlqTopic}</span>` : ''}<span>${user}</span>
<form method="post" action="${base}/logout"><input type="hidden" name="_csrf" value="${csrf}"><button class="quiet" type="submit">Log out</button></form></span>`
      : ''
  }</header>
<main>${body}</main></body></html>`;
}

export const when = (epochMs: number | undefined): string => (epochMs === undefined ? '—' : new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

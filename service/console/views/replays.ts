import { html, raw } from 'hono/html';
import type { AuditEntry } from '../audit.ts';
import { filterQuery } from '../filters.ts';
import type { ReplayJob } from '../replay-jobs.ts';
import type { Html } from './layout.ts';
import { when } from './layout.ts';

const describeFilter = (job: ReplayJob) => decodeURIComponent(filterQuery(job.filter).slice(1)).replaceAll('&', ', ') || 'everything kept';

/** A job's progress, as the page shows it and as the JSON its script polls. */
export function progressOf(job: ReplayJob, redact: (text: string) => string) {
  const { replayed, parked, skipped, read } = job.progress;
  return { state: job.state, selected: job.selected, done: replayed + parked, replayed, parked, skipped, read, error: job.error === undefined ? null : redact(job.error) };
}

export function jobBody(view: { base: string; nonce: string; csrf: string; job: ReplayJob; redact: (text: string) => string }): Html {
  const { base, job } = view;
  const p = progressOf(job, view.redact);
  return html`<p><a href="${base}/replays">← replays</a></p>
<h1>Replay ${job.id}</h1>
<dl id="job" data-progress="${base}/replays/${job.id}/progress">
<dt>Started</dt><dd>${when(job.startedAt)} by ${job.user}</dd>
<dt>Selection</dt><dd>${describeFilter(job)}: ${job.selected} dead letters</dd>
<dt>Rate</dt><dd>${job.ratePerSecond} records per second; parked after ${job.maxReplays} replay(s)</dd>
<dt>State</dt><dd id="state">${p.state}</dd>
<dt>Progress</dt><dd><progress id="bar" max="${Math.max(1, p.selected)}" value="${p.done}"></progress> <span id="done">${p.done}</span> of ${p.selected}</dd>
<dt>Replayed</dt><dd id="replayed">${p.replayed}</dd>
<dt>Parked</dt><dd id="parked">${p.parked}</dd>
<dt>Error</dt><dd id="error" class="bad">${p.error ?? ''}</dd>
</dl>
${
  job.state === 'running'
    ? html`<form method="post" action="${base}/replays/${job.id}/stop" id="stop"><input type="hidden" name="_csrf" value="${view.csrf}"><button class="quiet" type="submit">Stop</button></form>`
    : ''
}
<script nonce="${view.nonce}">${raw(pollScript)}</script>`;
}

// Polls the job's progress once a second while it runs; it only sets text and numbers (textContent, value).
const pollScript = `(() => {
  const job = document.getElementById('job');
  const set = (id, text) => { document.getElementById(id).textContent = String(text); };
  const tick = async () => {
    const response = await fetch(job.dataset.progress, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) return;
    const p = await response.json();
    set('state', p.state); set('done', p.done); set('replayed', p.replayed); set('parked', p.parked); set('error', p.error ?? '');
    document.getElementById('bar').value = p.done;
    if (p.state === 'running') setTimeout(tick, 1000);
    else document.getElementById('stop')?.remove();
  };
  if (document.getElementById('state').textContent === 'running') setTimeout(tick, 1000);
})();`;

export function replaysBody(view: {
  base: string;
  jobs: readonly ReplayJob[];
  audit: readonly AuditEntry[];
  auditTopic: string | undefined;
  redact: (text: string) => string;
}): Html {
  const { base } = view;
  return html`<h1>Replays</h1>
${
  view.jobs.length === 0
    ? html`<p class="muted">No replay started since the console started. Start one from the <a href="${base}">dead letters</a> page.</p>`
    : html`<table id="jobs"><thead><tr><th>job</th><th>started</th><th>by</th><th>selection</th><th>rate</th><th>state</th><th>replayed</th><th>parked</th></tr></thead><tbody>${view.jobs.map(
        (job) => html`<tr><td><a href="${base}/replays/${job.id}">${job.id}</a></td><td>${when(job.startedAt)}</td><td>${job.user}</td><td>${describeFilter(job)} (${job.selected})</td>
<td class="n">${job.ratePerSecond}/s</td><td>${job.state}</td><td class="n">${job.progress.replayed}</td><td class="n">${job.progress.parked}</td></tr>`,
      )}</tbody></table>`
}
<h2>Audit trail</h2>
<p class="muted">${view.auditTopic ? html`Kept in the topic <code>${view.auditTopic}</code> and the log; the newest 500 shown.` : 'Written to the log only.'}</p>
<table id="audit"><thead><tr><th>at</th><th>user</th><th>action</th><th>job</th><th>details</th></tr></thead><tbody>${view.audit.map(
    (entry) => html`<tr><td>${entry.at}</td><td>${entry.user}</td><td>${entry.action}</td><td>${entry.job}</td><td><code>${view.redact(JSON.stringify(shownDetails(entry.details)))}</code></td></tr>`,
  )}</tbody></table>`;
}

/** An entry's details as the page shows them: a selection's offset ranges are summed up, not listed. */
function shownDetails(details: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const { selection, ...rest } = details;
  if (typeof selection !== 'object' || selection === null) return details;
  const ranges = Object.values(selection as Record<string, unknown>).reduce<number>((n, runs) => n + (Array.isArray(runs) ? runs.length : 0), 0);
  return { ...rest, selection: `${ranges} offset range(s) in ${Object.keys(selection).length} partition(s)` };
}

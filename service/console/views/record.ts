import { html } from 'hono/html';
import type { TrackedRecord } from '../../../core/index.ts';
import type { DeadLetterEntry } from '../dead-letter-entry.ts';
import type { Html } from './layout.ts';
import { when } from './layout.ts';
import { previewText } from './preview.ts';

/** One dead letter: where it came from, why it failed, its tracker row, its headers, and a preview of its bytes. */
export function recordBody(view: {
  base: string;
  dlqTopic: string;
  entry: DeadLetterEntry;
  tracked: TrackedRecord | undefined;
  trackerNote?: string;
  redact: (text: string) => string;
}): Html {
  const { entry, tracked } = view;
  const value = previewText(entry.preview, entry.valueBytes);
  const key = entry.key ? previewText(entry.key, entry.key.byteLength) : undefined;
  return html`<p><a href="${view.base}">← dead letters</a></p>
<h1>${entry.category} · ${entry.code}</h1>
<dl id="record">
<dt>Source</dt><dd>${entry.sourceTopic} partition ${entry.sourcePartition ?? '?'} offset ${entry.sourceOffset ?? '?'}</dd>
<dt>Dead letter</dt><dd>${view.dlqTopic} partition ${entry.partition} offset ${entry.offset.toString()}, written ${when(entry.timestamp)}</dd>
<dt>Error</dt><dd class="bad">${entry.message || '—'}</dd>
<dt>First / last failure</dt><dd>${when(entry.firstFailureAt)} / ${when(entry.failedAt)}</dd>
<dt>Attempts</dt><dd>${entry.attempts ?? '—'}</dd>
<dt>Replays</dt><dd>${entry.replayCount}${entry.parkReason ? html` · parked before: ${entry.parkReason}` : ''}</dd>
<dt>Tracker</dt><dd>${
    tracked
      ? `${tracked.status}, ${tracked.attempts} attempt(s), ${tracked.category ?? 'no category'}, updated ${when(tracked.updatedAt)}`
      : (view.trackerNote ?? 'no row for this record')
  }</dd>
<dt>Value</dt><dd>${entry.valueBytes} bytes${entry.truncated ? ' (cut to fit the dead-letter topic: the whole record is at its source position)' : ''}</dd>
</dl>
<h2>Key</h2><pre>${key ? view.redact(key.text) : '(none)'}</pre>
<h2>Value ${value.kind === 'hex' ? '(hex)' : ''}</h2><pre id="payload">${view.redact(value.text)}</pre>${
    value.cut ? html`<p class="muted">First ${entry.preview.byteLength} of ${entry.valueBytes} bytes.</p>` : ''
  }
<h2>Headers</h2><table id="headers"><thead><tr><th>name</th><th>value</th></tr></thead><tbody>${entry.headers.map(
    ([name, text]) => html`<tr><td>${name}</td><td>${text}</td></tr>`,
  )}</tbody></table>`;
}

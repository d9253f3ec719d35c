import { html } from 'hono/html';
import type { TrackedRecord } from '../../../core/index.ts';
import type { DeadLetterEntry } from '../dead-letter-entry.ts';
import { entryId } from '../dead-letter-entry.ts';
import type { DeadLetterFilter, Histogram } from '../filters.ts';
import { filterQuery } from '../filters.ts';
import { histogramSvg } from './histogram.ts';
import type { Html } from './layout.ts';
import { when } from './layout.ts';

export interface FailuresView {
  readonly base: string;
  readonly csrf: string;
  readonly filter: DeadLetterFilter;
  readonly total: number;
  readonly evicted: number;
  readonly selected: number;
  /** Of the selected, those a finished replay of this console took already: a new replay leaves them out unless asked. */
  readonly taken: number;
  readonly choices: { readonly category: readonly string[]; readonly topic: readonly string[]; readonly code: readonly string[] };
  readonly counts: { readonly category: readonly [string, number][]; readonly topic: readonly [string, number][]; readonly code: readonly [string, number][] };
  readonly histogram: Histogram | undefined;
  readonly rows: readonly { readonly entry: DeadLetterEntry; readonly tracked: TrackedRecord | undefined; readonly takenBy?: string | undefined }[];
  /** Why the tracker column is empty, if it is. */
  readonly trackerNote?: string;
  readonly maxReplayRate: number;
  readonly replayRunning: boolean;
}

const localInput = (epochMs: number | undefined) => (epochMs === undefined ? '' : new Date(epochMs).toISOString().slice(0, 16));

function select(name: string, label: string, values: readonly string[], current: string | undefined): Html {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${values.map(
    (value) => html`<option value="${value}" ${value === current ? 'selected' : ''}>${value}</option>`,
  )}</select></label>`;
}

function countTable(view: FailuresView, title: string, field: 'category' | 'topic' | 'code', rows: readonly [string, number][]): Html {
  return html`<div><h2>By ${title}</h2><table><thead><tr><th>${title}</th><th>dead letters</th></tr></thead><tbody>${rows.map(
    ([value, count]) => html`<tr><td><a href="${view.base}${filterQuery(view.filter, { [field]: value })}">${value}</a></td><td class="n">${count}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The front page: the filter, counts by category, topic and code, the histogram, the newest dead letters, the replay form. */
export function failuresBody(view: FailuresView): Html {
  const { base, filter } = view;
  const hidden = (['category', 'topic', 'code'] as const).map((f) => (filter[f] ? html`<input type="hidden" name="${f}" value="${filter[f]}">` : ''));
  return html`<h1>Dead letters</h1>
<form class="filter" method="get" action="${base}" id="filter">
${select('category', 'Category', view.choices.category, filter.category)}
${select('topic', 'Source topic', view.choices.topic, filter.topic)}
${select('code', 'Error code', view.choices.code, filter.code)}
<label>Failed since (UTC)<input type="datetime-local" name="since" value="${localInput(filter.since)}"></label>
<label>until (UTC)<input type="datetime-local" name="until" value="${localInput(filter.until)}"></label>
<button type="submit">Filter</button> <a href="${base}">clear</a></form>
<p><strong id="selected">${view.selected}</strong> of ${view.total} dead letters kept in memory match${
    view.evicted > 0 ? html` <span class="muted">(${view.evicted} older ones no longer kept)</span>` : ''
  }.</p>
${histogramSvg(view.histogram)}
<div class="cols">${countTable(view, 'category', 'category', view.counts.category)}${countTable(view, 'topic', 'topic', view.counts.topic)}${countTable(view, 'code', 'code', view.counts.code)}</div>
<h2>Replay this selection</h2>
${
  view.replayRunning
    ? html`<p class="note">A replay is running: see <a href="${base}/replays">Replays</a>.</p>`
    : html`<form class="filter" method="post" action="${base}/replays" id="replay">
<input type="hidden" name="_csrf" value="${view.csrf}">${hidden}
${filter.since !== undefined ? html`<input type="hidden" name="since" value="${filter.since}">` : ''}${filter.until !== undefined ? html`<input type="hidden" name="until" value="${filter.until}">` : ''}
<label>Records per second<input type="number" name="rate" min="1" max="${view.maxReplayRate}" value="${Math.min(100, view.maxReplayRate)}" required></label>
<label>Park after replays<input type="number" name="maxReplays" min="1" value="1" required></label>
${
        view.taken > 0
          ? html`<label class="check"><input type="checkbox" name="includeReplayed" id="includeReplayed">also the ${view.taken} this console replayed already</label>`
          : ''
      }
<button type="submit" ${view.selected === 0 ? 'disabled' : ''}>Replay ${view.selected - view.taken} dead letters</button></form>
<p class="muted">Each goes back to its source topic without the dead-letter headers; one replayed that many times already, or whose value was cut, is parked instead, as <code>orchestron replay</code> does.</p>`
}
<h2>Newest</h2>${view.trackerNote ? html`<p class="muted">${view.trackerNote}</p>` : ''}
<table id="records"><thead><tr><th>failed at</th><th>source</th><th>category</th><th>code</th><th>error</th><th>tracker</th><th>replays</th></tr></thead><tbody>${view.rows.map(
    ({ entry, tracked, takenBy }) => html`<tr><td><a href="${base}/records/${entryId(entry)}">${when(entry.failedAt)}</a></td>
<td>${entry.sourceTopic}/${entry.sourcePartition ?? '?'}@${entry.sourceOffset ?? '?'}</td><td>${entry.category}</td><td>${entry.code}</td>
<td>${entry.message.slice(0, 160)}</td><td>${tracked ? `${tracked.status}, ${tracked.attempts} attempt(s)` : '—'}</td><td class="n">${entry.replayCount}${takenBy ? html` <a href="${base}/replays/${takenBy}" title="replayed or parked by this console">+ console</a>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

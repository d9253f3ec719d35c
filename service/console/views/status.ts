import { html } from 'hono/html';
import type { StatusReport } from '../status.ts';
import type { Html } from './layout.ts';

/** Readiness, breakers, consumer lag per partition and throughput, of the running service or as far as known standalone. */
export function statusBody(report: StatusReport, redact: (text: string) => string): Html {
  const { readiness, breakers, lag, throughput } = report;
  const unavailable = (text: string) => html`<p class="muted">${redact(text)}</p>`;
  return html`<h1>Status <span class="muted">(${report.source})</span></h1>
<h2>Readiness</h2>${
    typeof readiness === 'string'
      ? unavailable(readiness)
      : html`<p id="ready" class="${readiness.ready ? 'ok' : 'bad'}">${readiness.ready ? 'ready' : 'not ready'}</p>
<table><thead><tr><th>check</th><th>state</th></tr></thead><tbody>${Object.entries(readiness.checks).map(
          ([name, state]) => html`<tr><td>${name}</td><td class="${state === 'ok' ? 'ok' : 'bad'}">${redact(state)}</td></tr>`,
        )}</tbody></table>`
  }
<h2>Circuit breakers</h2>${
    typeof breakers === 'string'
      ? unavailable(breakers)
      : breakers.length === 0
        ? unavailable('no store behind a breaker')
        : html`<table><tbody>${breakers.map((b) => html`<tr><td>${b.name}</td><td class="${b.open ? 'bad' : 'ok'}">${b.open ? 'open' : 'closed'}</td></tr>`)}</tbody></table>`
  }
<h2>Consumer lag</h2>${
    typeof lag === 'string'
      ? unavailable(lag)
      : lag.length === 0
        ? unavailable('no partition measured yet')
        : html`<table id="lag"><thead><tr><th>topic</th><th>partition</th><th>lag</th><th>committed</th><th>end</th></tr></thead><tbody>${lag.map(
            (row) => html`<tr><td>${row.topic}</td><td class="n">${row.partition}</td><td class="n">${row.lag}</td><td class="n">${row.committed?.toString() ?? '—'}</td><td class="n">${row.end?.toString() ?? '—'}</td></tr>`,
          )}</tbody></table>`
  }
<h2>Throughput</h2>${
    typeof throughput === 'string'
      ? unavailable(throughput)
      : html`<p>${throughput.records} records finished (ok or dead-lettered) since start${
          throughput.perSecond === undefined ? '' : html`; ${throughput.perSecond.toFixed(1)} per second since the last look`
        }.</p>`
  }`;
}

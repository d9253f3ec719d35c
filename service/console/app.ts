import { Hono } from 'hono';
import { html } from 'hono/html';
import type { FailureTracker } from '../../core/index.ts';
import type { AuditTrail } from './audit.ts';
import { mountAuth } from './auth.ts';
import type { ConsoleCredentials } from './credentials.ts';
import { Csrf } from './csrf.ts';
import type { DeadLetterIndex } from './dead-letter-index.ts';
import { countBy, histogram, matches, parseFilter } from './filters.ts';
import { ReplayBusyError } from './replay-jobs.ts';
import type { ReplayJobs } from './replay-jobs.ts';
import { redactor } from './scrub.ts';
import type { DeadLetterEntry } from './dead-letter-entry.ts';
import { entryId } from './dead-letter-entry.ts';
import { securityHeaders } from './security-headers.ts';
import type { ConsoleEnv } from './security-headers.ts';
import { Sessions } from './sessions.ts';
import type { StatusSource } from './status.ts';
import { trackerRows } from './tracker-rows.ts';
import { failuresBody } from './views/failures.ts';
import { page } from './views/layout.ts';
import type { Html } from './views/layout.ts';
import { recordBody } from './views/record.ts';
import { jobBody, progressOf, replaysBody } from './views/replays.ts';
import { statusBody } from './views/status.ts';

/** Where the console is mounted, in `run` and standalone alike. */
export const consoleBase = '/console';

export interface ConsoleDeps {
  readonly dlqTopic: string;
  readonly credentials: ConsoleCredentials;
  /** Texts never to show (see scrub.ts). */
  readonly secrets: readonly string[];
  readonly index: DeadLetterIndex;
  readonly tracker?: FailureTracker;
  readonly jobs: ReplayJobs;
  readonly audit?: AuditTrail;
  readonly status: StatusSource;
  readonly maxReplayRate: number;
  readonly sessionTtlMs: number;
}

/** Newest dead letters listed on the front page. */
const listed = 100;

const distinct = (values: Iterable<string>) => [...new Set(values)].sort();

/** The operations console as a Hono app, to mount at `consoleBase`; every route but the login page needs a login. */
export function consoleApp(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const base = consoleBase;
  const app = new Hono<ConsoleEnv>();
  app.use('*', securityHeaders);
  const redact = redactor(deps.secrets);
  const shown = (entry: DeadLetterEntry): DeadLetterEntry => ({
    ...entry,
    message: redact(entry.message),
    parkReason: entry.parkReason === undefined ? undefined : redact(entry.parkReason),
    headers: entry.headers.map(([name, value]) => [name, redact(value)] as const),
  });
  const csrf = new Csrf();
  mountAuth(app, { base, credentials: deps.credentials, sessions: new Sessions(deps.sessionTtlMs), csrf });

  const render = async (c: { get(key: 'nonce' | 'user' | 'identity'): string }, title: string, body: Html) =>
    page({ base, nonce: c.get('nonce'), title, user: c.get('user'), csrf: await csrf.token(c.get('identity')), dlqTopic: deps.dlqTopic }, body);

  app.get('/', async (c) => {
    const filter = parseFilter(c.req.query());
    const all = deps.index.all();
    const selected = all.filter((entry) => matches(entry, filter));
    const taken = selected.filter((entry) => deps.jobs.takenBy(entryId(entry)) !== undefined).length;
    const listedEntries = selected.slice(0, listed);
    const { rows, note } = await trackerRows(deps.tracker, listedEntries);
    const body = failuresBody({
      base,
      csrf: await csrf.token(c.get('identity')),
      filter,
      total: all.length,
      evicted: deps.index.evicted,
      selected: selected.length,
      taken,
      choices: { category: distinct(all.map((e) => e.category)), topic: distinct(all.map((e) => e.sourceTopic)), code: distinct(all.map((e) => e.code)) },
      counts: { category: countBy(selected, 'category'), topic: countBy(selected, 'sourceTopic'), code: countBy(selected, 'code') },
      histogram: histogram(selected),
      rows: listedEntries.map((entry, i) => ({ entry: shown(entry), tracked: rows[i], takenBy: deps.jobs.takenBy(entryId(entry)) })),
      ...(note ? { trackerNote: redact(note) } : {}),
      maxReplayRate: deps.maxReplayRate,
      replayRunning: deps.jobs.list().some((job) => job.state === 'running'),
    });
    return c.html(await render(c, 'Dead letters', body));
  });

  app.get('/records/:id', async (c) => {
    const entry = deps.index.get(c.req.param('id'));
    if (!entry) return c.html(await render(c, 'Not found', page404(base)), 404);
    const { rows, note } = await trackerRows(deps.tracker, [entry]);
    return c.html(await render(c, `Dead letter ${c.req.param('id')}`, recordBody({ base, dlqTopic: deps.dlqTopic, entry: shown(entry), tracked: rows[0], redact, ...(note ? { trackerNote: redact(note) } : {}) })));
  });

  app.post('/replays', async (c) => {
    const form = await c.req.parseBody();
    const rate = Number(form.rate);
    const maxReplays = Number(form.maxReplays ?? 1);
    if (!Number.isInteger(rate) || rate < 1 || rate > deps.maxReplayRate) return c.text(`rate must be a whole number from 1 to ${deps.maxReplayRate}`, 400);
    if (!Number.isInteger(maxReplays) || maxReplays < 1) return c.text('maxReplays must be a whole number ≥ 1', 400);
    try {
      const job = deps.jobs.start({ user: c.get('user'), filter: parseFilter(form), ratePerSecond: rate, maxReplays, includeReplayed: form.includeReplayed === 'on' });
      return c.redirect(`${base}/replays/${job.id}`, 303);
    } catch (error) {
      if (error instanceof ReplayBusyError) return c.text(error.message, 409);
      throw error;
    }
  });

  app.get('/replays', async (c) =>
    c.html(await render(c, 'Replays', replaysBody({ base, jobs: deps.jobs.list(), audit: deps.audit?.list() ?? [], auditTopic: deps.audit?.topic, redact }))),
  );

  app.get('/replays/:id', async (c) => {
    const job = deps.jobs.get(c.req.param('id'));
    if (!job) return c.html(await render(c, 'Not found', page404(base)), 404);
    return c.html(await render(c, `Replay ${job.id}`, jobBody({ base, nonce: c.get('nonce'), csrf: await csrf.token(c.get('identity')), job, redact })));
  });

  app.get('/replays/:id/progress', (c) => {
    const job = deps.jobs.get(c.req.param('id'));
    return job ? c.json(progressOf(job, redact)) : c.json({ error: 'no such replay' }, 404);
  });

  app.post('/replays/:id/stop', (c) => {
    deps.jobs.stop(c.req.param('id'));
    return c.redirect(`${base}/replays/${c.req.param('id')}`, 303);
  });

  app.get('/status', async (c) => c.html(await render(c, 'Status', statusBody(await deps.status(), redact))));

  app.notFound(async (c) => c.text('not found', 404));
  return app;
}

const page404 = (base: string): Html => html`<h1>Not found</h1><p><a href="${base}">dead letters</a></p>`;

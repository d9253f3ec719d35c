import type { Signal } from './host.ts';

export type SignalListener = (signal: Signal, handler: () => void) => void;

/**
 * Catches SIGTERM and SIGINT from the entrypoint's first statements, before the slow part of a start (loading the
 * commands' modules and client libraries, the config, the stores): a signal that arrives before a command registers
 * its handler is kept and handed to that handler when it registers, in order, so it drains or ends the start cleanly
 * instead of killing the process by the default action. Returns the `onSignal` of the Host. No import may be added
 * here: the entrypoints load this module before anything else.
 */
export function signalLatch(listen: SignalListener): SignalListener {
  const handlers = new Map<Signal, (() => void)[]>();
  const pending: Signal[] = [];
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    listen(signal, () => {
      const registered = handlers.get(signal);
      if (registered?.length) for (const handler of registered) handler();
      else pending.push(signal);
    });
  }
  return (signal, handler) => {
    handlers.set(signal, [...(handlers.get(signal) ?? []), handler]);
    for (let i = 0; i < pending.length; ) {
      if (pending[i] !== signal) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      handler();
    }
  };
}

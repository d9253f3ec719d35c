import { describe, expect, it } from 'vitest';
import type { Signal } from './host.ts';
import { signalLatch } from './signal-latch.ts';

/** A fake runtime: what the latch listens to, and a way to deliver a signal. */
function runtime() {
  const listeners = new Map<Signal, () => void>();
  return { listen: (signal: Signal, handler: () => void) => void listeners.set(signal, handler), deliver: (signal: Signal) => listeners.get(signal)?.() };
}

describe('signalLatch', () => {
  it('keeps signals that come before a handler and hands them over, in order, when it registers', () => {
    const os = runtime();
    const onSignal = signalLatch(os.listen);
    os.deliver('SIGTERM');
    os.deliver('SIGINT');
    os.deliver('SIGTERM');
    const seen: string[] = [];
    onSignal('SIGTERM', () => seen.push('term'));
    expect(seen).toEqual(['term', 'term']);
    onSignal('SIGINT', () => seen.push('int'));
    expect(seen).toEqual(['term', 'term', 'int']);
  });

  it('passes later signals straight to the registered handlers', () => {
    const os = runtime();
    const onSignal = signalLatch(os.listen);
    const seen: string[] = [];
    onSignal('SIGINT', () => seen.push('a'));
    onSignal('SIGINT', () => seen.push('b'));
    os.deliver('SIGINT');
    os.deliver('SIGTERM');
    expect(seen).toEqual(['a', 'b']);
    onSignal('SIGTERM', () => seen.push('term'));
    expect(seen).toEqual(['a', 'b', 'term']);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from '../envelope.ts';
import { formatTraceparent, parseTraceparent, traceContextOf, traceHeaderValues, withTraceHeaders } from './trace-context.ts';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it('reads a traceparent and writes it back the same', () => {
    const context = parseTraceparent(traceparent, 'congo=t61rcWkgMzE');
    expect(context).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, traceState: 'congo=t61rcWkgMzE' });
    expect(formatTraceparent(context!)).toBe(traceparent);
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled).toBe(false);
  });

  it('refuses what the specification calls invalid', () => {
    for (const bad of [
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    // A later version may carry more fields after the flags.
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')?.spanId).toBe('00f067aa0ba902b7');
  });

  it('replaces the trace context of a record’s headers and leaves the others', () => {
    const headers = new Map([
      ['traceparent', encodeText(traceparent)],
      ['tracestate', encodeText('old=1')],
      ['x-id', encodeText('7')],
    ]);
    const next = withTraceHeaders(headers, traceHeaderValues({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false }));
    expect(traceContextOf(next)).toEqual({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false });
    expect(next.has('tracestate')).toBe(false);
    expect(decodeText(next.get('x-id')!)).toBe('7');
    expect(traceContextOf(headers)?.spanId).toBe('00f067aa0ba902b7');
  });
});

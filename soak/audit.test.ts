import { describe, expect, it } from 'vitest';
import { Audit } from './audit.ts';

describe('soak audit', () => {
  it('counts every id once and reports none lost when all arrived', () => {
    const audit = new Audit(12, 3);
    for (let seq = 0; seq < 4; seq++) for (let p = 0; p < 3; p++) expect(audit.record(p, `${p}-${seq}`)).toBe('new');
    expect(audit.complete).toBe(true);
    expect(audit.counts()).toEqual({ expected: 12, consumed: 12, duplicated: 0, outOfOrder: 0, unknown: 0, deadLettered: 0, filtered: 0, lost: 0 });
  });

  it('reports lost ids, duplicates and keys that are not ids of the run', () => {
    const audit = new Audit(6, 2);
    audit.record(0, '0-0');
    audit.record(0, '0-0');
    audit.record(1, '1-0');
    audit.record(1, '1-9');
    audit.record(1, 'other');
    expect(audit.counts()).toMatchObject({ consumed: 2, duplicated: 1, unknown: 2, lost: 4 });
    expect(audit.missing()).toEqual(['0-1', '0-2', '1-1', '1-2']);
    expect(audit.missing(1)).toEqual(['0-1']);
  });

  it('flags a record that comes after a later one of its input partition in the same output partition', () => {
    const audit = new Audit(9, 3);
    expect(audit.record(0, '1-1')).toBe('new');
    expect(audit.record(0, '1-0')).toBe('out-of-order');
    // Another output partition is another lane: no order between them.
    expect(audit.record(2, '1-2')).toBe('new');
    expect(audit.counts()).toMatchObject({ consumed: 3, outOfOrder: 1, duplicated: 0 });
  });

  it('accounts dead-lettered and filtered records apart from lost ones', () => {
    const audit = new Audit(6, 2);
    audit.record(0, '0-0');
    expect(audit.deadLettered('1-0')).toBe(true);
    expect(audit.deadLettered('1-0')).toBe(true);
    expect(audit.deadLettered('9-9')).toBe(false);
    expect(audit.complete).toBe(false);
    audit.filtered = 3;
    expect(audit.complete).toBe(false);
    expect(audit.counts()).toMatchObject({ consumed: 1, deadLettered: 1, filtered: 3, lost: 1 });
    audit.filtered = 4;
    expect(audit.complete).toBe(true);
    expect(audit.counts()).toMatchObject({ lost: 0 });
    // A dead-lettered record that also reaches the output is delivered twice.
    expect(audit.record(1, '1-0')).toBe('duplicate');
  });
});

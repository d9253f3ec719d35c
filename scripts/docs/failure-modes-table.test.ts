import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { failureModesTable, withFailureModesTable } from './failure-modes-table.ts';

const page = () => readFile(new URL('../../docs/failure-modes.md', import.meta.url), 'utf8');

describe('failure modes table', () => {
  it('docs/failure-modes.md holds the table generated from the failure policy (npm run docs:failure-modes)', async () => {
    const text = await page();
    expect(text).toContain(failureModesTable());
    expect(withFailureModesTable(text)).toBe(text);
  });

  it('answers each question for both modes', () => {
    const lines = failureModesTable().split('\n');
    expect(lines[0]).toBe('| when | `atomic` | `skip-and-log` |');
    for (const line of lines.slice(2)) expect(line.split(' | ')).toHaveLength(3);
  });
});

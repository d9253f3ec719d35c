import { describe, expect, it } from 'vitest';
import { commandWords } from './command-words.ts';

describe('commandWords', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    expect(commandWords(`node  consumer.ts --name 'a b' "c \\"d\\"" e\\ f ''`)).toEqual(['node', 'consumer.ts', '--name', 'a b', 'c "d"', 'e f', '']);
  });

  it('names --command when a quote is left open or nothing is left to run', () => {
    expect(() => commandWords(`node 'x`)).toThrow(/--command: has an unclosed ' quote/);
    expect(() => commandWords('   ')).toThrow(/--command: must name a program/);
  });
});

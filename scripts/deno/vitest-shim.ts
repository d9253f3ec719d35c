// Maps the subset of vitest's API that the core suite uses onto Deno.test, so
// `deno test` runs the same files as vitest and `bun test` (see deno.json imports).
import { expect } from 'expect';

type Hook = () => unknown;
type Body = () => unknown;
interface Suite {
  readonly name: string;
  readonly beforeEach: Hook[];
  readonly afterEach: Hook[];
}

declare const Deno: {
  test(options: { name: string; fn: () => Promise<void>; sanitizeOps: boolean; sanitizeResources: boolean }): void;
};

const stack: Suite[] = [{ name: '', beforeEach: [], afterEach: [] }];
const current = (): Suite => stack[stack.length - 1] as Suite;

export function describe(name: string, body: () => void): void {
  stack.push({ name, beforeEach: [], afterEach: [] });
  try {
    body();
  } finally {
    stack.pop();
  }
}

export function it(name: string, body: Body): void {
  const suites = [...stack];
  const title = [...suites.map((s) => s.name).filter(Boolean), name].join(' > ');
  Deno.test({
    name: title,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      for (const suite of suites) for (const hook of suite.beforeEach) await hook();
      try {
        await body();
      } finally {
        for (const suite of [...suites].reverse()) for (const hook of suite.afterEach) await hook();
      }
    },
  });
}

export const test = it;
export const beforeEach = (hook: Hook): void => void current().beforeEach.push(hook);
export const afterEach = (hook: Hook): void => void current().afterEach.push(hook);
export { expect };

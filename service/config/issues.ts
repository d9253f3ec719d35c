import type * as v from 'valibot';

type Issue = v.BaseIssue<unknown>;
type AnySchema = v.GenericSchema & { readonly type: string; readonly wrapped?: AnySchema; readonly entries?: v.ObjectEntries; readonly pipe?: readonly unknown[]; readonly options?: readonly unknown[] };

const pathOf = (issue: Issue): string[] => (issue.path ?? []).map((item) => String(item.key));

/** The object entries of the schema found at `path`, through optional/pipe wrappers. */
function entriesAt(schema: AnySchema, path: readonly string[]): v.ObjectEntries | undefined {
  let node: AnySchema | undefined = schema;
  for (let i = 0; ; i++) {
    while (node && (node.type === 'optional' || node.type === 'nullish')) node = node.wrapped;
    if (node?.pipe) node = node.pipe[0] as AnySchema;
    while (node && (node.type === 'optional' || node.type === 'nullish')) node = node.wrapped;
    if (!node?.entries) return undefined;
    if (i === path.length) return node.entries;
    node = node.entries[path[i]!] as AnySchema | undefined;
  }
}

const listOf = (expected: string | null) => (expected ?? '').replace(/^\(|\)$/g, '').split(' | ').map((s) => s.replace(/^"|"$/g, ''));

/** One line per issue, naming the field (dot path) and what is allowed there. */
export function describeIssue(schema: AnySchema, issue: Issue): { field: string; message: string; missing?: boolean } {
  const path = pathOf(issue);
  const field = path.join('.') || '(config)';
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const where = path.slice(0, -1);
    const allowed = Object.keys(entriesAt(schema, where) ?? {});
    return { field, message: `unknown key${where.length ? ` in ${where.join('.')}` : ''}; allowed keys: ${allowed.join(', ')}` };
  }
  if (issue.received === 'undefined' && (issue.type === 'strict_object' || issue.type === 'object')) {
    return { field, message: 'is required', missing: true };
  }
  if (issue.type === 'picklist') {
    return { field, message: `must be one of ${listOf(issue.expected).join(', ')}; got ${issue.received}` };
  }
  if (issue.type === 'union' && issue.issues?.some((sub) => sub.type === 'picklist')) {
    const options = issue.issues.filter((sub) => sub.type === 'picklist').flatMap((sub) => listOf(sub.expected));
    return { field, message: `must be one of ${options.join(', ')} or { module, export }; got ${issue.received}` };
  }
  if (issue.type === 'min_value' || issue.type === 'max_value') {
    return { field, message: `must be ${issue.expected?.replace('>=', '≥ ').replace('<=', '≤ ')}; got ${issue.received}` };
  }
  if (issue.type === 'check') return { field, message: issue.message };
  if (issue.type === 'integer') return { field, message: `must be a whole number; got ${issue.received}` };
  if (issue.type === 'min_length') return { field, message: issue.expected === '>=1' ? 'must not be empty' : `length must be ${issue.expected}` };
  return { field, message: `expected ${issue.expected ?? issue.type}; got ${issue.received}` };
}

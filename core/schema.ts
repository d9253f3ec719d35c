import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from './errors.ts';

export type { StandardSchemaV1 };

/** An issue's field as a dot path (`items.0.price`); empty for the value as a whole. */
const pathOf = (issue: StandardSchemaV1.Issue): string =>
  (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String)
    .join('.');

const describeIssue = (issue: StandardSchemaV1.Issue): string => {
  const path = pathOf(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
};

const settle = <T>(result: StandardSchemaV1.Result<T>): T => {
  if (result.issues) {
    const issues = result.issues.map(describeIssue);
    const fields = [...new Set(result.issues.map(pathOf).filter((path) => path !== ''))];
    const reason = fields.length > 0 ? `invalid fields: ${fields.slice(0, 10).join(', ')}` : 'schema validation failed';
    throw new ValidationError(`schema validation failed: ${issues.slice(0, 5).join('; ')}`, { issues, reason });
  }
  return result.value;
};

/**
 * Validates with any Standard Schema validator (valibot, zod, arktype…); failures throw a ValidationError listing
 * the issues. Synchronous validators stay synchronous, so the hot path pays no promise per record.
 */
export function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
): StandardSchemaV1.InferOutput<S> | Promise<StandardSchemaV1.InferOutput<S>> {
  const result = schema['~standard'].validate(value) as
    | StandardSchemaV1.Result<StandardSchemaV1.InferOutput<S>>
    | Promise<StandardSchemaV1.Result<StandardSchemaV1.InferOutput<S>>>;
  return result instanceof Promise ? result.then(settle) : settle(result);
}

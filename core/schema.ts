import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from './errors.ts';

export type { StandardSchemaV1 };

const describeIssue = (issue: StandardSchemaV1.Issue): string => {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String)
    .join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
};

const settle = <T>(result: StandardSchemaV1.Result<T>): T => {
  if (result.issues) {
    const issues = result.issues.map(describeIssue);
    throw new ValidationError(`schema validation failed: ${issues.slice(0, 5).join('; ')}`, { issues });
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

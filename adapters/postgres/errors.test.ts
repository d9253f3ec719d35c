import { describe, expect, it } from 'vitest';
import { StoreError } from '../../core/index.ts';
import { storeError } from './errors.ts';

const withCode = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storeError', () => {
  it('names the operation, the server and the code, and keeps the cause', () => {
    const cause = withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const error = storeError('tracker received', 'postgres://u:***@h:5432/d', cause);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe('postgres tracker received failed (postgres://u:***@h:5432/d): ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('STORE_ERROR');
  });

  it.each([
    ['ECONNREFUSED', true],
    ['CONNECTION_CLOSED', true],
    ['57014', true], // statement timeout
    ['57P01', true], // server shutting down
    ['40P01', true], // deadlock
    ['53300', true], // too many connections
    ['42P01', false], // table missing
    ['28P01', false], // wrong password
    ['22P02', false], // bad input
  ])('treats %s as retryable: %s', (code, retryable) => {
    expect(storeError('op', 'server', withCode(code, 'x')).retryable).toBe(retryable);
  });

  it('passes a StoreError through', () => {
    const original = new StoreError('already wrapped', { retryable: false });
    expect(storeError('op', 'server', original)).toBe(original);
  });
});

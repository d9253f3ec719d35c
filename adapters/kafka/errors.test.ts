import { AuthenticationError as ClientAuthenticationError, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, InstanceIdInUseError, ProducerFencedError, RecordRefusedError, SinkError } from '../../core/index.ts';
import { brokenProducerState, instanceIdInUse, isAuthenticationFailure, kafkaError } from './errors.ts';

/** What the client raises when a broker refuses a SASL login: its AuthenticationError wrapped in a NetworkError. */
const refusedLogin = () =>
  new MultipleErrors('Listing topics failed.', [
    new NetworkError('Connection to 127.0.0.1:9094 failed.', {
      cause: new ClientAuthenticationError('SASL authentication failed.', { cause: new ProtocolError('SASL_AUTHENTICATION_FAILED') }),
    }),
  ]);

describe('kafkaError', () => {
  it('finds a refused login under the retryable network error and makes it a non-retryable AuthenticationError', () => {
    expect(isAuthenticationFailure(refusedLogin())).toBe(true);
    const error = kafkaError(refusedLogin(), 'consume orders');
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('AUTHENTICATION_ERROR');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^consume orders: the broker refused the SASL credentials .*kafka\.sasl\.password.*SASL_AUTHENTICATION_FAILED/);
  });

  it('keeps connection failures retryable and fencing fatal', () => {
    const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(isAuthenticationFailure(refused)).toBe(false);
    const network = kafkaError(refused, 'send');
    expect(network).toBeInstanceOf(SinkError);
    expect(network.retryable).toBe(true);
    expect(kafkaError(new MultipleErrors('Commit failed.', [new ProtocolError('PRODUCER_FENCED')]), 'commit')).toBeInstanceOf(ProducerFencedError);
  });

  it('marks what the client says cannot be retried as permanent', () => {
    const error = kafkaError(new MultipleErrors('Produce failed.', [new ProtocolError('TOPIC_AUTHORIZATION_FAILED')]), 'send');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('makes a group instance id held by another member an INSTANCE_ID_IN_USE error naming the setting', () => {
    const taken = kafkaError(new MultipleErrors('Heartbeat failed.', [new ProtocolError('FENCED_INSTANCE_ID')]), 'heartbeat');
    expect(taken).toBeInstanceOf(InstanceIdInUseError);
    expect(taken.retryable).toBe(false);
    expect(taken.message).toMatch(/kafka\.instanceId.*ORCHESTRON_INSTANCE_ID.*FENCED_INSTANCE_ID/);
    // The consumer protocol's answer while a crashed predecessor's session has not expired yet: worth retrying.
    const unreleased = instanceIdInUse(new ProtocolError('UNRELEASED_INSTANCE_ID'), 'join', 'w-1');
    expect(unreleased.retryable).toBe(true);
    expect(unreleased.message).toContain('instance id "w-1"');
  });

  it('makes a record the broker refuses a RecordRefusedError, whatever else failed with it', () => {
    for (const code of ['INVALID_RECORD', 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TIMESTAMP']) {
      const error = kafkaError(new MultipleErrors('Producing messages failed.', [new ProtocolError(code)]), 'produce 3 records in a transaction');
      expect(error).toBeInstanceOf(RecordRefusedError);
      expect(error).toMatchObject({ code: 'SINK_ERROR', retryable: false });
      expect(error.message).toContain(code);
    }
  });

  it('takes a broken producer state as retryable (the producer is recreated), and only PRODUCER_FENCED as fencing', () => {
    for (const code of ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE', 'UNKNOWN_PRODUCER_ID']) {
      const thrown = new MultipleErrors('Producing messages failed.', [new ProtocolError(code)]);
      expect(brokenProducerState(thrown)).toBe(code);
      expect(kafkaError(thrown, 'produce')).toMatchObject({ code: 'SINK_ERROR', retryable: true });
    }
    expect(brokenProducerState(new MultipleErrors('Ending transaction failed.', [new ProtocolError('PRODUCER_FENCED')]))).toBeUndefined();
    expect(brokenProducerState(new MultipleErrors('Producing messages failed.', [new ProtocolError('NOT_LEADER_OR_FOLLOWER')]))).toBeUndefined();
    expect(brokenProducerState(new Error('There is already an active transaction.'))).toBe('There is already an active transaction.');
  });
});

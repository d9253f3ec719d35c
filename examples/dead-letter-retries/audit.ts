import type { BatchStage, Logger } from '../../core/index.ts';
import { batchStage, categoryOf } from '../../core/index.ts';
import type { Payment } from './order.ts';

/**
 * The business audit trail (the seed's `tracker.events`), apart from the service's health log (`tracker.log`): once a
 * batch commits, one event per record outcome — `payment.paid` with the payment, `payment.dead_lettered` with its
 * category and attempts — never the raw payload of a failed record.
 */
export function auditTrail(audit: Logger): BatchStage<Payment, Payment> {
  return batchStage((batch) => {
    const paid = batch.records.map((record) => ({
      event: 'payment.paid',
      orderId: record.value.orderId,
      amount: record.value.amount,
      currency: record.value.currency,
      paymentId: record.value.paymentId,
      source: `${record.topic}/${record.partition}@${record.offset}`,
      attempts: record.attempts,
    }));
    const deadLettered = batch.dropped
      .filter((drop) => drop.reason === 'dead-lettered')
      .map((drop) => ({
        event: 'payment.dead_lettered',
        category: drop.error ? categoryOf(drop.error) : 'PROCESSING_ERROR',
        source: `${drop.record.topic}/${drop.record.partition}@${drop.record.offset}`,
        attempts: drop.attempts ?? drop.record.attempts,
      }));
    batch.control.afterCommit(() => {
      for (const event of [...paid, ...deadLettered]) audit.info(event, event.event);
    });
    return batch;
  });
}

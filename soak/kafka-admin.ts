import { Admin } from '@platformatic/kafka';
import { deleteTopics, ensureTopics } from '../adapters/kafka/admin.ts';

export { deleteTopics, ensureTopics };

/** Resolves once consumer group `groupId` is Stable with partitions assigned, or throws after `timeoutMs`. */
export async function waitForGroup(brokers: readonly string[], groupId: string, timeoutMs: number, gone?: Promise<unknown>): Promise<void> {
  const admin = new Admin({ clientId: 'orchestron-soak-admin', bootstrapBrokers: [...brokers] });
  let exited = false;
  void gone?.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const group = (await admin.describeGroups({ groups: [groupId] }).catch(() => undefined))?.get(groupId);
      // A member whose assignment the client could not decode counts as assigned once the group is Stable.
      const assigned = [...(group?.members.values() ?? [])].some(
        (m) => !m.assignments || [...m.assignments.values()].some((a) => a.partitions.length > 0),
      );
      if (group && /^stable$/i.test(group.state) && assigned) return;
      if (exited) throw new Error(`the process of group ${groupId} exited before it joined`);
      if (Date.now() > deadline) throw new Error(`group ${groupId} not stable with assignments after ${timeoutMs} ms (state ${group?.state ?? 'unknown'})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.close();
  }
}

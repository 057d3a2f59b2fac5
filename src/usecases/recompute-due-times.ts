import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { ScheduleDeps } from './scheduled-change.js';
import { BATCH } from './scheduled-change.js';
import { advanceTicketSla } from './sla-policy.js';

const SLA_FINGERPRINT = 'sla_fingerprint';

/** What due times depend on in the config: when it changes, every clocked ticket's due times are recomputed. */
export function slaFingerprint(config: Config): string {
  return createHash('sha256').update(JSON.stringify({ sla: config.sla })).digest('hex');
}

/**
 * After an SLA config change (at start, or on reload): due times of every
 * ticket whose clock is not stopped, again from the same anchors under the new
 * policies. Batched, resumable; a no-op when the config is unchanged.
 */
export async function recomputeDueTimes(deps: Pick<ScheduleDeps, 'schedule' | 'config' | 'log'>): Promise<number> {
  const config = deps.config();
  const fingerprint = slaFingerprint(config);
  if ((await deps.schedule.setting(SLA_FINGERPRINT)) === fingerprint) return 0;
  let updated = 0;
  for (let afterId = 0; ; ) {
    const batch = await deps.schedule.clockedTickets(afterId, BATCH);
    if (batch.length === 0) break;
    for (const ticket of batch) {
      const sla = advanceTicketSla(config, ticket, []);
      const same = (['firstResponseDueAt', 'nextResponseDueAt', 'resolutionDueAt'] as const).every(
        (k) => (sla[k]?.getTime() ?? null) === (ticket.sla[k]?.getTime() ?? null),
      );
      if (!same) {
        await deps.schedule.saveSla(ticket.id, sla, ticket.lastActivityAt);
        updated++;
      }
    }
    afterId = batch[batch.length - 1]!.id;
    deps.log.info({ afterTicketId: afterId, updated }, 'recomputing SLA due times');
  }
  await deps.schedule.saveSetting(SLA_FINGERPRINT, fingerprint);
  deps.log.info({ updated }, 'SLA due times recomputed for the current config');
  return updated;
}

import type { SlaState } from '../../domain/sla.js';

/** The ticket columns that store an SLA clock. */
export function slaColumns(sla: SlaState) {
  return {
    firstRespondedAt: sla.firstRespondedAt,
    waitingSince: sla.waitingSince,
    slaElapsedMs: Math.round(sla.resolutionElapsedMs),
    slaRunningSince: sla.resolutionRunningSince,
    slaStopped: sla.stopped,
    firstResponseDueAt: sla.firstResponseDueAt,
    nextResponseDueAt: sla.nextResponseDueAt,
    resolutionDueAt: sla.resolutionDueAt,
  };
}

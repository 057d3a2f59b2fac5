import type { Classification } from './classify.js';

export interface AutoResponseLimits {
  readonly perSender: number;
  readonly perTicket: number;
  /** All automated mail to customers from one mailbox: what a flood of forged senders runs into. */
  readonly perMailbox: number;
}

export interface AutoResponseInput {
  readonly classification: Classification;
  /** Whom the automated mail would go to; null when the mail had no usable sender. */
  readonly recipient: string | null;
  /** Automated mails already sent to that address, and on that ticket, inside the window. */
  readonly sentToRecipient: number;
  readonly sentOnTicket: number;
  /** …and from that mailbox to anyone. */
  readonly sentFromMailbox: number;
  readonly limits: AutoResponseLimits;
}

export type AutoResponseDecision = { readonly send: true } | { readonly send: false; readonly reason: string };

/**
 * Whether an automated mail (acknowledgement, notice) may answer a mail (I7):
 * never to automatic, bulk or list mail, bounces, no-reply or mail-system
 * senders, or our own addresses (the classification says so), and never
 * beyond the per-sender, per-ticket and per-mailbox rate limits. Pure.
 */
export function decideAutoResponse(input: AutoResponseInput): AutoResponseDecision {
  if (!input.recipient) return { send: false, reason: 'no sender address' };
  if (input.classification.kind !== 'customer') return { send: false, reason: `the mail is ${input.classification.kind}` };
  if (input.classification.suppressAutoResponse) {
    return { send: false, reason: `automated sender: ${input.classification.reasons.join('; ')}` };
  }
  if (input.sentToRecipient >= input.limits.perSender) {
    return { send: false, reason: `rate limit: ${input.sentToRecipient} automated mails to ${input.recipient} in the window` };
  }
  if (input.sentOnTicket >= input.limits.perTicket) {
    return { send: false, reason: `rate limit: ${input.sentOnTicket} automated mails on this ticket in the window` };
  }
  if (input.sentFromMailbox >= input.limits.perMailbox) {
    return { send: false, reason: `rate limit: ${input.sentFromMailbox} automated mails from this mailbox in the window` };
  }
  return { send: true };
}

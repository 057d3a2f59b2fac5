/** Email addresses as the domain compares them: trimmed, lower-cased. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The part after `@`, lower-cased; empty when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : normalizeAddress(address.slice(at + 1));
}

/**
 * The local part without a `+tag` (`support+abc@x` → `support`), lower-cased.
 */
export function baseLocalPart(address: string): string {
  const at = address.lastIndexOf('@');
  const local = normalizeAddress(at < 0 ? address : address.slice(0, at));
  const plus = local.indexOf('+');
  return plus < 0 ? local : local.slice(0, plus);
}

/** `support+tok@example.test` → `support@example.test`. */
export function withoutSubaddress(address: string): string {
  const domain = domainOf(address);
  return domain ? `${baseLocalPart(address)}@${domain}` : baseLocalPart(address);
}

const SYSTEM_SENDERS = new Set([
  'mailer-daemon',
  'postmaster',
  'post_master',
  'poostmaster',
  'mail.delivery.system',
  'mail-daemon',
  'maildaemon',
]);

const NO_REPLY = /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|bounces?|notifications?-noreply)([-_.+].*)?$/;

/** True for MAILER-DAEMON, postmaster and friends. */
export function isMailSystemSender(address: string): boolean {
  return SYSTEM_SENDERS.has(baseLocalPart(address));
}

/** True for noreply / do-not-reply style senders, which must never get automated mail. */
export function isNoReplySender(address: string): boolean {
  return NO_REPLY.test(baseLocalPart(address));
}

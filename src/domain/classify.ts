import { baseLocalPart, domainOf, isMailSystemSender, isNoReplySender, normalizeAddress, withoutSubaddress } from './address.js';
import {
  ARF_FEEDBACK_TYPE,
  ARF_FIELDS,
  AUTO_PRECEDENCE,
  AUTO_REPLY_SUBJECT,
  AWAY_SUBJECT,
  BOUNCE_SUBJECT,
  CHALLENGE_ASK,
  CHALLENGE_HOLD,
  CHALLENGE_LIST,
  CHALLENGE_SERVICE,
  DELAY_SUBJECT,
  DELIVERED_SUBJECT,
  ENHANCED_STATUS,
  EXCHANGE_SYSTEM_SENDER,
  GAVE_UP_SUBJECT,
  LIST_MANAGER_ERROR,
  LIST_MANAGER_HEADERS,
  LIST_MANAGER_HOLD,
  LIST_MANAGER_SENDER,
  REPLY_PREFIX,
  VENDOR_AUTO_HEADERS,
} from './classify-patterns.js';

/** One recipient group of a delivery status report (RFC 3464 §2.3), lower-cased action. */
export interface DeliveryFact {
  readonly action: string | null;
  /** The RFC 3463 status, e.g. `5.1.1`. */
  readonly status: string | null;
  readonly recipient: string | null;
}

/** The facts about an inbound mail that classification reads. Built (and bounded) by the MIME adapter. */
export interface InboundFacts {
  /** Sender address; null when the mail has no usable From. */
  readonly from: string | null;
  /** Return-Path address: '' for the null sender `<>`, null when the header is absent. */
  readonly returnPath: string | null;
  readonly subject: string;
  /** Lower-cased header name → its values, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** Lower-cased MIME type of the root part, e.g. `multipart/report`. */
  readonly contentType: string;
  /** `report-type` parameter of a multipart/report root, lower-cased. */
  readonly reportType: string | null;
  /** The recipient groups of a delivery-status report, in order (`failed`, `delayed`, `delivered`…). */
  readonly deliveryReport: readonly DeliveryFact[];
  /** The mail carries a returned message (message/rfc822 or text/rfc822-headers part). */
  readonly hasReturnedMessage: boolean;
  /** Lower-cased MIME types of the mail's parts (message/feedback-report, message/delivery-status…). */
  readonly partTypes: readonly string[];
  /** Message-IDs (no brackets) of the message the mail returns or quotes: an attached message, a pasted header block, a body line. */
  readonly returnedMessageIds: readonly string[];
  /** The first few KB of the plain-text body: for notices that carry no header marker at all. */
  readonly textStart: string;
}

export type InboundKind = 'customer' | 'auto_reply' | 'bounce' | 'own';

/** The mail of ours a delivery notice is about. */
export interface ReturnedMail {
  /** Message-IDs (no brackets) of the returned mail, as the notice gives them; may be empty. */
  readonly originalMessageIds: readonly string[];
  /**
   * RFC 3463 status: the report's (5.1.1, 4.4.7…), else the first code of the
   * notice's text, else derived (5.0.0 failed, 4.0.0 delayed); null for an
   * abuse report, which is no delivery failure.
   */
  readonly status: string | null;
  /** The recipients the report names for this outcome; may be empty. */
  readonly recipients: readonly string[];
}

export interface Classification {
  readonly kind: InboundKind;
  /** True when no automated mail may be sent in response (I7). */
  readonly suppressAutoResponse: boolean;
  /** Why, in words a log or a dry-run can show. */
  readonly reasons: readonly string[];
  /** Set exactly when `kind` is `bounce`: the mail it returns, and the status. */
  readonly bounce?: ReturnedMail;
  /** A delay notice (`kind` auto_reply): our mail is still being retried; threaded like a bounce, failing nothing. */
  readonly delay?: ReturnedMail;
}

type Outcome = 'failed' | 'delayed' | 'delivered' | 'complaint';

interface Notice {
  readonly reason: string;
  /** What the notice itself settles, before its report is read. */
  readonly outcome?: Outcome;
}

const FAILED_ACTIONS = new Set(['failed', 'failure', 'expired']);
const TEXT_WINDOW = 8 * 1024;

function header(facts: InboundFacts, name: string): string | null {
  return facts.headers.get(name)?.[0]?.trim() ?? null;
}

function isAutoSubmitted(facts: InboundFacts): boolean {
  // RFC 3834 §5: any value but "no" marks the mail as automatic.
  const value = header(facts, 'auto-submitted');
  return value !== null && value.split(';')[0]!.trim().toLowerCase() !== 'no';
}

function isAutoReplySubject(subject: string): boolean {
  return AUTO_REPLY_SUBJECT.some((pattern) => pattern.test(subject));
}

/** A subject only a delivery notice has: failed, delayed or delivered — not quoted by a reply, not an out-of-office's. */
function isNoticeSubject(subject: string): boolean {
  if (REPLY_PREFIX.test(subject) || isAutoReplySubject(subject)) return false;
  return BOUNCE_SUBJECT.test(subject) || DELAY_SUBJECT.test(subject) || DELIVERED_SUBJECT.test(subject);
}

function isSystemSender(address: string): boolean {
  return isMailSystemSender(address) || EXCHANGE_SYSTEM_SENDER.test(baseLocalPart(address));
}

/** The body, whitespace collapsed, for phrases that may wrap. */
function prose(facts: InboundFacts): string {
  return facts.textStart.slice(0, TEXT_WINDOW).replace(/\s+/g, ' ');
}

/**
 * An abuse report (RFC 5965): the multipart/report, or — unless a person
 * forwards one — a message/feedback-report part, or its fields written out as text.
 */
function isAbuseReport(facts: InboundFacts): boolean {
  if (facts.contentType === 'multipart/report' && facts.reportType === 'feedback-report') return true;
  if (REPLY_PREFIX.test(facts.subject)) return false;
  if (facts.partTypes.includes('message/feedback-report')) return true;
  return ARF_FEEDBACK_TYPE.test(facts.textStart) && (facts.textStart.match(ARF_FIELDS)?.length ?? 0) >= 2;
}

/** Mail a mailing-list manager (fml, Mailman, Majordomo…) sends of its own: an error about a mail, or another reply. */
function listManagerMail(facts: InboundFacts): 'error' | 'reply' | null {
  if (!facts.from || !LIST_MANAGER_HEADERS.some((name) => facts.headers.has(name))) return null;
  if (!LIST_MANAGER_SENDER.test(baseLocalPart(facts.from))) return null;
  const text = `${facts.subject} ${prose(facts).slice(0, 2048)}`;
  return LIST_MANAGER_ERROR.test(text) && !LIST_MANAGER_HOLD.test(text) ? 'error' : 'reply';
}

/** Why the mail is a delivery notice (a bounce, a delay, a receipt, an abuse report), or null when it is none. */
function noticeOf(facts: InboundFacts): Notice | null {
  if (facts.reportType === 'disposition-notification') return null; // a read receipt, see autoReplyReasons
  if (isAbuseReport(facts)) return { reason: 'abuse feedback report (ARF)', outcome: 'complaint' };
  if (facts.headers.has('x-failed-recipients')) return { reason: 'X-Failed-Recipients header' };
  if (facts.headers.has('x-ms-exchange-message-is-ndr')) return { reason: 'Exchange non-delivery report' };
  if (listManagerMail(facts) === 'error') return { reason: 'a mailing-list manager refused the mail', outcome: 'failed' };

  const isReport = facts.contentType === 'multipart/report';
  const systemSender = facts.from !== null && isSystemSender(facts.from);
  const noSender = facts.from === null;
  const noReply = facts.from !== null && isNoReplySender(facts.from);
  const noticeSubject = isNoticeSubject(facts.subject);
  const automatic = facts.returnPath === '' || isAutoSubmitted(facts);
  const reported = facts.deliveryReport.some((e) => e.action !== null || e.status !== null);

  if (isReport && (systemSender || noSender || noticeSubject)) return { reason: 'delivery status report from a mail system' };
  if (isReport && automatic && reported) return { reason: 'automatic delivery status report' };
  if (systemSender) return { reason: 'sent by a mail system (MAILER-DAEMON, postmaster)' };
  if (noticeSubject && (noSender || automatic)) return { reason: 'automatic mail with a bounce subject' };
  if (noReply && facts.hasReturnedMessage && (noticeSubject || automatic)) return { reason: 'no-reply sender returning a message' };
  if (noReply && DELIVERED_SUBJECT.test(facts.subject)) return { reason: 'delivery notice from a no-reply sender', outcome: 'delivered' };
  return null;
}

function isFailed(entry: DeliveryFact): boolean {
  return (entry.action !== null && FAILED_ACTIONS.has(entry.action)) || (entry.status?.startsWith('5.') ?? false);
}

function isDelayed(entry: DeliveryFact): boolean {
  return entry.action === 'delayed' || (entry.action === null && (entry.status?.startsWith('4.') ?? false));
}

/** What happened to the mail: the report decides (a 5.x.x status fails whatever its action says), else the subject; failed by default. */
function outcomeOf(facts: InboundFacts, notice: Notice): Outcome {
  if (notice.outcome) return notice.outcome;
  const entries = facts.deliveryReport;
  if (entries.some(isFailed)) return 'failed';
  if (entries.some(isDelayed)) return 'delayed';
  if (entries.some((e) => e.action !== null)) return 'delivered';
  if (DELAY_SUBJECT.test(facts.subject) && !GAVE_UP_SUBJECT.test(facts.subject)) return 'delayed';
  if (DELIVERED_SUBJECT.test(facts.subject)) return 'delivered';
  return 'failed';
}

/** The first enhanced status code of the notice's text of the wanted classes. */
function statusInText(facts: InboundFacts, classes: readonly string[]): string | null {
  for (const match of facts.textStart.slice(0, TEXT_WINDOW).matchAll(ENHANCED_STATUS)) {
    if (classes.includes(match[1]!)) return match[0];
  }
  return null;
}

function returnedMail(facts: InboundFacts, outcome: Outcome): ReturnedMail {
  const originalMessageIds = facts.returnedMessageIds;
  if (outcome === 'complaint') return { originalMessageIds, status: null, recipients: [] };
  const matches = outcome === 'failed' ? isFailed : isDelayed;
  const entries = facts.deliveryReport.filter(matches);
  const fromReport = entries.find((e) => e.status !== null)?.status;
  const status =
    fromReport ?? (outcome === 'failed' ? (statusInText(facts, ['5']) ?? statusInText(facts, ['4']) ?? '5.0.0') : (statusInText(facts, ['4']) ?? '4.0.0'));
  const reported = entries.flatMap((e) => (e.recipient ? [e.recipient] : []));
  const failedHeader = outcome === 'failed' ? (facts.headers.get('x-failed-recipients') ?? []).flatMap((v) => v.split(',')).map((a) => a.trim()) : [];
  const recipients = [...new Set((reported.length > 0 ? reported : failedHeader).filter(Boolean).map(normalizeAddress))];
  return { originalMessageIds, status, recipients };
}

/** Challenge-response with no marker at all: the sender is asked to act, about a hold, a list or a known service. */
function isChallenge(facts: InboundFacts): boolean {
  const text = `${facts.subject} ${prose(facts)}`;
  const asked = CHALLENGE_ASK.test(text);
  return asked && (CHALLENGE_HOLD.test(text) || CHALLENGE_LIST.test(text) || CHALLENGE_SERVICE.test(text));
}

/** `X-MS-Exchange-Inbox-Rules-Loop` naming the sender: their own inbox rule answered (a redirect keeps another sender). */
function isOwnInboxRule(facts: InboundFacts): boolean {
  const from = facts.from === null ? null : normalizeAddress(facts.from);
  if (from === null) return false;
  return (facts.headers.get('x-ms-exchange-inbox-rules-loop') ?? []).some((value) => {
    const loop = normalizeAddress(value.replace(/^.*<|>.*$/g, ''));
    return loop === from || (baseLocalPart(loop) === baseLocalPart(from) && domainOf(loop).endsWith('.onmicrosoft.com'));
  });
}

function autoReplyReasons(facts: InboundFacts): string[] {
  const reasons: string[] = [];
  if (isAutoSubmitted(facts)) reasons.push(`Auto-Submitted: ${header(facts, 'auto-submitted')}`);
  for (const name of VENDOR_AUTO_HEADERS) if (facts.headers.has(name)) reasons.push(`${name} header`);
  const precedence = (header(facts, 'precedence') ?? header(facts, 'x-precedence'))?.toLowerCase();
  if (precedence && AUTO_PRECEDENCE.has(precedence)) reasons.push(`Precedence: ${precedence}`);
  if (facts.returnPath === '') reasons.push('null Return-Path <>');
  // Procmail responders, OTRS/Znuny and Zammad put it on their automatic mail only (RT marks all its mail, a person's
  // answers too, with RT-Loop-Prevention instead, which is no marker here).
  if (facts.headers.has('x-loop')) reasons.push('X-Loop header');
  if (isOwnInboxRule(facts)) reasons.push("X-MS-Exchange-Inbox-Rules-Loop: the sender's inbox rule answered");
  if (facts.headers.has('x-auto-response-suppress') && AWAY_SUBJECT.test(facts.subject)) reasons.push('X-Auto-Response-Suppress with an out-of-office subject');
  if (facts.reportType === 'disposition-notification') reasons.push('read receipt (MDN)');
  else if (facts.contentType === 'multipart/report') reasons.push('delivery report from a non-mail-system sender (challenge-response)');
  if (isAutoReplySubject(facts.subject)) reasons.push('auto-reply subject');
  if (listManagerMail(facts) === 'reply') reasons.push("a mailing-list manager's own mail");
  if (reasons.length === 0 && isChallenge(facts)) reasons.push('challenge-response: asks the sender to confirm a held message');
  return reasons;
}

function bulkReasons(facts: InboundFacts): string[] {
  const reasons: string[] = [];
  if (facts.headers.has('list-id')) reasons.push('List-Id header');
  if (facts.headers.has('list-unsubscribe')) reasons.push('List-Unsubscribe header');
  if (/^yes/i.test(header(facts, 'x-spam-flag') ?? '')) reasons.push('X-Spam-Flag: YES');
  if (facts.from && isNoReplySender(facts.from)) reasons.push('no-reply sender');
  if (facts.from && isMailSystemSender(facts.from)) reasons.push('mail-system sender');
  return reasons;
}

/** A delivery notice as a classification: a failure or an abuse report is a bounce; a delay or a receipt, an auto-reply. */
function classifyNotice(facts: InboundFacts, notice: Notice): Classification {
  const outcome = outcomeOf(facts, notice);
  const reasons = [notice.reason];
  if (outcome === 'failed' || outcome === 'complaint') {
    return { kind: 'bounce', suppressAutoResponse: true, reasons, bounce: returnedMail(facts, outcome) };
  }
  const actions = facts.deliveryReport.flatMap((e) => (e.action ? [e.action] : []));
  reasons.push(actions.length > 0 ? `no failed delivery (${actions.join(', ')})` : `no failed delivery (${outcome}, by its subject)`);
  if (outcome === 'delayed') return { kind: 'auto_reply', suppressAutoResponse: true, reasons, delay: returnedMail(facts, outcome) };
  return { kind: 'auto_reply', suppressAutoResponse: true, reasons };
}

/**
 * Classifies an inbound mail: our own (loop), a bounce or DSN, an auto-reply
 * (RFC 3834, the usual vendor headers, subjects in many languages,
 * challenge-response), or customer mail. Pure.
 *
 * A delivery notice that reports no failed delivery is no bounce: a delay
 * (`delay` set: still retried) or a receipt counts as an auto-reply. A status
 * 5.x.x fails whatever the report's action says, and so does `expired`. A
 * delivery report from something other than a mail system, without
 * automatic markers, is an auto-reply too (the challenge-response systems
 * that dress up as DSNs).
 */
export function classifyInbound(facts: InboundFacts, ownAddresses: ReadonlySet<string>): Classification {
  if (facts.from && ownAddresses.has(withoutSubaddress(normalizeAddress(facts.from)))) {
    return { kind: 'own', suppressAutoResponse: true, reasons: ['sent from one of our own addresses'] };
  }
  const notice = noticeOf(facts);
  if (notice) return classifyNotice(facts, notice);
  const auto = autoReplyReasons(facts);
  if (auto.length > 0) return { kind: 'auto_reply', suppressAutoResponse: true, reasons: auto };
  const bulk = bulkReasons(facts);
  return { kind: 'customer', suppressAutoResponse: bulk.length > 0, reasons: bulk };
}

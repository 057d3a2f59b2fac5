import type { EventData, EventType } from './ticket-events.js';

/*
 * A ticket's history read aloud: one sentence per event type, what the actor
 * did (`tickets show`). The data comes from the database, written by older
 * versions too, so each sentence reads it defensively and an unknown type
 * falls back to its name and its data.
 */

type Data = Readonly<Record<string, unknown>>;

const text = (value: unknown): string => (value === null || value === undefined || value === '' ? '?' : String(value));
const list = (value: unknown): string => (Array.isArray(value) && value.length ? value.map(text).join(', ') : '-');
const time = (value: unknown): string => (typeof value === 'string' ? `${value.slice(0, 16).replace('T', ' ')} UTC` : '?');
const metric = (value: unknown): string => text(value).replace(/_/g, ' ');
const reasons = (value: unknown): string => (Array.isArray(value) && value.length ? ` (${value.map(text).join('; ')})` : '');

/** One sentence per event type, given the event's data as stored. */
const SENTENCES: { readonly [T in EventType]: (d: Partial<Record<keyof EventData[T], unknown>> & Data) => string } = {
  created: (d) =>
    `opened the ticket in mailbox ${text(d.mailbox)}${d.linkedFrom ? `, continuing #${text(d.linkedFrom)}` : ''}${Array.isArray(d.automatedSender) ? ` (an automated sender${reasons(d.automatedSender)})` : ''}` +
    `${d.openedBy ? ` for the customer, by ${text(d.openedBy)}'s #new` : ''}${d.forwardedBy ? `, forwarded by ${text(d.forwardedBy)}` : ''}`,
  followed_up: (d) => `wrote again after the reopen window: the conversation continues in #${text(d.newTicket)}`,
  customer_replied: (d) => `replied (threaded by ${text(d.via)})`,
  agent_replied: (d) => `answered the customer (proved by ${text(d.via)})`,
  note_added: (d) => `added an internal note (proved by ${text(d.via)})`,
  status_changed: (d) => `changed the status from ${text(d.from)} to ${text(d.to)}`,
  reopened: (d) => `reopened the ticket (it was ${text(d.from)})`,
  postponed: (d) => `postponed the ticket until ${time(d.until)}`,
  woke_up: () => 'woke the ticket up: its postponement ended',
  auto_closed: (d) => `closed the ticket for idleness (idle since ${time(d.idleSince)})`,
  auto_close_warned: () => 'warned the customer that the ticket closes unless they reply',
  priority_changed: (d) => `changed the priority from ${text(d.from)} to ${text(d.to)}`,
  department_changed: (d) => `moved the ticket from department ${text(d.from)} to ${text(d.to)}`,
  assigned: (d) =>
    d.to === null || d.to === undefined
      ? `unassigned the ticket (it was ${text(d.from)}'s)`
      : `assigned the ticket to ${text(d.to)}${d.from ? ` (it was ${text(d.from)}'s)` : ''}${d.how ? ` by ${text(d.how)}` : ''}`,
  deleted: () => 'deleted the ticket (hidden from lists; purged after the retention time)',
  merged_into: (d) => `merged the ticket into #${text(d.into)}: its messages and history are there`,
  merged: (d) => `merged ticket #${text(d.from)} into this one`,
  satisfaction_rated: (d) => `rated the help ${d.rating === 'good' ? 'good' : d.rating === 'bad' ? 'bad' : text(d.rating)}${d.comment ? `: "${text(d.comment)}"` : ''}`,
  satisfaction_comment: () => 'commented on the satisfaction mail (the message below)',
  sender_blocked: (d) => `blocked the sender ${text(d.pattern)}: their mail is stored as spam from now on`,
  sender_was_blocked: (d) => `wrote from a blocked address (${text(d.pattern)}, in the ${text(d.source)} list): stored as spam, nobody told`,
  tagged: (d) => `tagged the ticket "${text(d.tag)}"`,
  untagged: (d) => `removed the tag "${text(d.tag)}"`,
  participant_added: (d) => `copied ${text(d.address)} on the answers`,
  participant_removed: (d) => `stopped copying ${text(d.address)} on the answers`,
  participants_held_back: (d) => `did not copy ${list(d.addresses)}: ${text(d.reason)}`,
  rule_applied: (d) => `applied rule "${text(d.rule)}"${Array.isArray(d.why) && d.why.length ? `, because ${d.why.map(text).join('; ')}` : ''}`,
  auto_ack_skipped: (d) => `sent no acknowledgement: ${text(d.reason)}`,
  notice_skipped: (d) => `sent no ${metric(d.kind)} notice: ${text(d.reason)}`,
  imported: (d) => `imported the mail from a backlog; not sent: ${list(d.notSent)}`,
  forged_agent_mail: (d) => `kept mail from ${text(d.from)} in an agent's name that proves nothing (${text(d.reason)}); it reached no customer`,
  sla_warning: (d) => `warned that the ${metric(d.metric)} target passes at ${time(d.dueAt)}`,
  sla_breach: (d) => `recorded an SLA breach: the ${metric(d.metric)} target passed at ${time(d.dueAt)}`,
  auto_reply_received: (d) => `received an auto-reply${reasons(d.reasons)}`,
  bounce_received: (d) => `received a bounce${reasons(d.reasons)}`,
  own_mail_received: (d) => `received mail from one of our own addresses${reasons(d.reasons)}`,
  send_failed: (d) =>
    `could not deliver the ${metric(d.kind)} mail: ${text(d.reason)}${d.via === 'bounce' ? ` (a bounce said so${d.why ? `: ${text(d.why)}` : ''})` : ''}`,
  delivery_delayed: (d) =>
    `heard that the ${metric(d.kind)} mail to ${list(d.recipients)} is delayed (${text(d.status)}); its sending server keeps trying`,
  parse_error: (d) => `could not read a message fully: ${text(d.error)}`,
  message_truncated: (d) => `stored a message cut to ${text(d.storedBytes)} of its ${text(d.size)} bytes`,
  input_bounded: (d) => `cut values of a message to make it storable: ${list(d.adjustments)}`,
  html_dropped: (d) => `kept a message without its HTML: ${text(d.reason)}`,
  attachment_omitted: (d) => `kept only the name and size of attachment ${text(d.filename)} (${text(d.size)} bytes, over the limit of ${text(d.limit)})`,
};

/** What an event says, as a sentence whose subject is its actor. */
export function describeEvent(type: string, data: Data): string {
  const sentence = (SENTENCES as Record<string, ((d: Data) => string) | undefined>)[type];
  if (sentence) return sentence(data ?? {});
  const shown = Object.keys(data ?? {}).length ? ` ${JSON.stringify(data)}` : '';
  return `${type.replace(/_/g, ' ')}${shown}`;
}

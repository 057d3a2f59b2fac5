import type { AgentCommand } from '../domain/agent-commands.js';
import type { HeldBack } from '../domain/participants.js';
import { renderTemplate, type TemplateVars } from '../domain/template.js';
import type { Phrases } from '../config/languages/index.js';
import { displayAddress } from './inbound.js';
import { escapeHtml } from './outbound-mail.js';
import type { MailAddress, ParsedAttachment } from './parsed-mail.js';
import type { Ticket } from './ports.js';

/** Texts of the mails agents get. Plain text; the customer's words are quoted as they wrote them. */

const HOW_TO_REPLY = [
  'Reply to this mail to answer the customer: only your new text is sent.',
  'Command lines at the top of your reply steer the ticket:',
  '  #status resolved|postponed|closed|spam|open   #priority low|medium|high|urgent',
  '  #assign <agent>   #tag <tag>   #untag <tag>   #postpone 2d|2026-12-01',
  '  #cc add <address>   #cc remove <address>   (who is copied on your answers)',
  '  #note   (the whole mail becomes an internal note; nothing goes to the customer)',
  '  #assign none   (unassign)   #spam   #spam block   (spam, and block the sender)',
].join('\n');

function summary(ticket: Ticket): string {
  const tags = ticket.tags.length > 0 ? ` · tags ${ticket.tags.join(', ')}` : '';
  return `Ticket ${ticket.number} · status ${ticket.status} · priority ${ticket.priority} · department ${ticket.department}${tags}`;
}

/** The attachments, each saying whether it rides along with this mail, and how to fetch those that do not. */
function attachmentLines(attachments: readonly ParsedAttachment[], carried: ReadonlySet<string>, heading: string, fetchCommand: string): string[] {
  const listed = attachments;
  if (listed.length === 0) return [];
  const where = (a: ParsedAttachment) =>
    !a.content
      ? ', not stored: over the size limit'
      : carried.has(a.sha256)
        ? a.inline
          ? ', shown in the message'
          : ', attached'
        : ', not attached: over the notification size limit';
  const lines = listed.map((a) => `  - ${a.filename ?? '(unnamed)'} (${a.contentType}, ${formatSize(a.size)}${where(a)})`);
  const fetch = listed.some((a) => a.content && !carried.has(a.sha256)) ? [`  Fetch them all with: ${fetchCommand}`] : [];
  return ['', heading, ...lines, ...fetch];
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The customer's mail a notification is about. */
export interface NoticeMessage {
  readonly kind: 'new' | 'reply';
  readonly from: MailAddress | null;
  readonly text: string;
  /** The customer's HTML made safe for agents, or null: the notification is then text only. */
  readonly html: string | null;
  readonly attachments: readonly ParsedAttachment[];
  /** The sha256 of the attachments that ride along with the notification. */
  readonly carried: readonly string[];
  /** How to fetch the attachments that do not. */
  readonly fetchCommand: string;
  readonly heldBack?: readonly HeldBack[];
}

/** Stands for the customer's text while the HTML version is made from the rendered template. */
const MESSAGE_MARK = '\u0000message-text\u0000';

/**
 * New ticket or customer reply, from the `agentNotification` template (who
 * wrote, what, the attachments), then how to answer — always, whatever the
 * template says. When the customer wrote HTML, an HTML version shows it in
 * place of the text, inline images and all.
 */
export function customerMessageNotice(
  template: { readonly subject: string; readonly text: string },
  base: TemplateVars,
  phrases: Phrases,
  message: NoticeMessage,
): { subject: string; text: string; html: string | null } {
  const carried = new Set(message.carried);
  const vars = {
    ...base,
    'notice.kind': message.kind === 'new' ? phrases.noticeNew : phrases.noticeReply,
    'message.from': message.from ? displayAddress(message.from) : phrases.unknownSender,
    'message.text': message.text.trim() || phrases.noText,
    'message.attachments': attachmentLines(message.attachments, carried, phrases.attachments, message.fetchCommand).join('\n'),
  };
  const held = (message.heldBack ?? []).flatMap((h) => ['', `Not copied on answers: ${h.addresses.join(', ')} (${h.reason}).`, 'To copy one of them, reply with: #cc add <address>']);
  const tail = [...held, '', '-- ', HOW_TO_REPLY];
  const html = message.html === null ? null : noticeHtml(renderTemplate(template.text, { ...vars, 'message.text': MESSAGE_MARK }).trimEnd(), message.html, tail);
  return {
    subject: renderTemplate(template.subject, vars),
    text: [renderTemplate(template.text, vars).trimEnd(), ...tail].join('\n'),
    html,
  };
}

/** The notification as HTML: the template's lines as written, the customer's HTML where their text goes. */
function noticeHtml(rendered: string, customerHtml: string, tail: readonly string[]): string {
  const block = (text: string) => (text.trim() ? `<div style="white-space:pre-wrap">${escapeHtml(text)}</div>` : '');
  const at = rendered.indexOf(MESSAGE_MARK);
  const [before, after] = at < 0 ? [rendered, ''] : [rendered.slice(0, at), rendered.slice(at + MESSAGE_MARK.length)];
  const body = at < 0 ? '' : `<div style="margin:1em 0;padding-left:1em;border-left:3px solid #ccc">${customerHtml}</div>`;
  return `<!doctype html><html><body>${block(before)}${body}${block(after)}${block(tail.join('\n'))}</body></html>`;
}

function describeCommand(command: AgentCommand): string {
  switch (command.type) {
    case 'status':
      return `status set to ${command.status}`;
    case 'priority':
      return `priority set to ${command.priority}`;
    case 'assign':
      return command.agent === null ? 'unassigned' : `assigned to ${command.agent}`;
    case 'spam':
      return command.block ? "marked spam, the sender's address blocked" : 'marked spam';
    case 'new':
      return `ticket opened for ${command.address}`;
    case 'delete':
      return 'deleted (hidden from lists)';
    case 'merge':
      return `merged into ticket ${command.into}`;
    case 'tag':
      return `tagged ${command.tag}`;
    case 'untag':
      return `tag ${command.tag} removed`;
    case 'postpone':
      return `postponed until ${command.until.toISOString()}`;
    case 'cc':
      return command.action === 'add' ? `${command.address} copied on answers` : `${command.address} no longer copied`;
    case 'note':
      return 'kept as an internal note';
  }
}

/** What an agent's commands did (and which were not understood). */
export function confirmationNotice(
  ticket: Ticket,
  applied: readonly AgentCommand[],
  problems: readonly string[],
  replied: boolean,
  notice?: 'resolved' | 'postponed',
): { subject: string; text: string } {
  const told = notice ? `The customer gets the ${notice} notice (template ${notice}).` : null;
  const lines = [
    summary(ticket),
    '',
    ...(replied ? ['Your reply was sent to the customer.'] : told ? ['Nothing you wrote was sent to the customer.', told] : ['Nothing was sent to the customer.']),
    ...applied.map((c) => `Done: ${describeCommand(c)}`),
    ...problems.map((p) => `Not understood: ${p}`),
    '',
    '-- ',
    HOW_TO_REPLY,
  ];
  return { subject: `${problems.length > 0 ? 'Check your commands' : 'Done'}: ${ticket.subject}`, text: lines.join('\n') };
}

/** To the real agent, when a mail claimed to be from them without proof. */
export function forgeryNotice(ticket: Ticket | null, from: string, subject: string, reason: string): { subject: string; text: string } {
  return {
    subject: `Mail in your name was not accepted${ticket ? `: ${ticket.subject}` : ''}`,
    text: [
      `A mail with your address (${from}) as its sender arrived, but it could not be verified as yours:`,
      `  ${reason}`,
      '',
      `Subject: ${subject}`,
      ticket ? `Ticket: ${ticket.number}` : 'It matched no ticket.',
      '',
      'Nothing was sent to any customer. If you wrote it, reply to a notification mail instead:',
      'its Reply-To address proves the mail is yours.',
    ].join('\n'),
  };
}

/** To the assignee (or department), when a mail to the customer could not be delivered. */
export function sendFailedNotice(ticket: Ticket, recipients: readonly string[], reason: string): { subject: string; text: string } {
  return {
    subject: `Not delivered: ${ticket.subject}`,
    text: [
      summary(ticket),
      '',
      `A mail to ${recipients.join(', ') || 'the customer'} could not be delivered:`,
      `  ${reason}`,
      '',
      'Check the address, then reply to this mail to try again with your answer.',
    ].join('\n'),
  };
}

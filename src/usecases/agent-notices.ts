import type { AgentCommand } from '../domain/agent-commands.js';
import type { HeldBack } from '../domain/participants.js';
import { renderTemplate, type TemplateVars } from '../domain/template.js';
import { displayAddress } from './inbound.js';
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
].join('\n');

function summary(ticket: Ticket): string {
  const tags = ticket.tags.length > 0 ? ` · tags ${ticket.tags.join(', ')}` : '';
  return `Ticket ${ticket.number} · status ${ticket.status} · priority ${ticket.priority} · department ${ticket.department}${tags}`;
}

function attachmentLines(attachments: readonly ParsedAttachment[]): string[] {
  const listed = attachments.filter((a) => !a.inline);
  if (listed.length === 0) return [];
  return ['', 'Attachments:', ...listed.map((a) => `  - ${a.filename ?? '(unnamed)'} (${a.contentType}, ${formatSize(a.size)}${a.content ? '' : ', not stored: over the size limit'})`)];
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * New ticket or customer reply, from the `agentNotification` template (who
 * wrote, what, the attachments), then how to answer — always, whatever the template says.
 */
export function customerMessageNotice(
  template: { readonly subject: string; readonly text: string },
  base: TemplateVars,
  kind: 'new' | 'reply',
  from: MailAddress | null,
  text: string,
  attachments: readonly ParsedAttachment[],
  heldBack: readonly HeldBack[] = [],
): { subject: string; text: string } {
  const vars = {
    ...base,
    'notice.kind': kind === 'new' ? 'New ticket' : 'Customer replied',
    'message.from': from ? displayAddress(from) : 'an unknown sender',
    'message.text': text.trim() || '(no text)',
    'message.attachments': attachmentLines(attachments).join('\n'),
  };
  const held = heldBack.flatMap((h) => ['', `Not copied on answers: ${h.addresses.join(', ')} (${h.reason}).`, 'To copy one of them, reply with: #cc add <address>']);
  return {
    subject: renderTemplate(template.subject, vars),
    text: [renderTemplate(template.text, vars).trimEnd(), ...held, '', '-- ', HOW_TO_REPLY].join('\n'),
  };
}

function describeCommand(command: AgentCommand): string {
  switch (command.type) {
    case 'status':
      return `status set to ${command.status}`;
    case 'priority':
      return `priority set to ${command.priority}`;
    case 'assign':
      return `assigned to ${command.agent}`;
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
): { subject: string; text: string } {
  const lines = [
    summary(ticket),
    '',
    ...(replied ? ['Your reply was sent to the customer.'] : ['Nothing was sent to the customer.']),
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

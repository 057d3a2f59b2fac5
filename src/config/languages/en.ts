import type { LanguagePack } from './index.js';

const SUMMARY = 'Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}';

export const en: LanguagePack = {
  templates: {
    acknowledgement: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

we have received your message and opened ticket {{ticket.tag}}: "{{ticket.subject}}".
An agent will answer soon. Replies to this mail are added to the ticket.

This is an automatic message.`,
    },
    agentNotification: {
      subject: '{{notice.kind}}: {{ticket.subject}}',
      text: `${SUMMARY}
From: {{message.from}}
Subject: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
    },
    slaWarning: {
      subject: 'SLA due soon ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

The {{sla.metric}} target passes at {{sla.dueAt}}.`,
    },
    slaBreach: {
      subject: 'SLA breached ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

The {{sla.metric}} target passed at {{sla.dueAt}}.`,
    },
    autoClose: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

we have not heard back from you, so ticket {{ticket.tag}} "{{ticket.subject}}" is now closed.
If you still need help, just reply to this mail and it opens again.

This is an automatic message.`,
    },
    autoCloseWarning: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

ticket {{ticket.tag}} "{{ticket.subject}}" is waiting for your reply. Unless you reply,
it will be closed soon.

This is an automatic message.`,
    },
    resolved: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

we have marked ticket {{ticket.tag}} "{{ticket.subject}}" as resolved.
If it is not solved for you, just reply to this mail and it opens again.

This is an automatic message.`,
    },
    satisfaction: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

we have resolved ticket {{ticket.tag}} "{{ticket.subject}}". How did we do?

Good: {{satisfaction.good}}
Bad:  {{satisfaction.bad}}

You can also reply to this mail with a comment; it goes to our team.

This is an automatic message.`,
    },
    postponed: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hello {{customer.name}},

we have put ticket {{ticket.tag}} "{{ticket.subject}}" on hold until {{postponed.until}}
and will get back to you then. You can reply to this mail at any time.

This is an automatic message.`,
    },
    agentReply: {
      subject: 'Re: {{ticket.subject}}',
      text: '{{reply.text}}',
      html: '{{reply.html}}',
    },
    assigned: {
      subject: 'Assigned to you: {{ticket.subject}}',
      text: `${SUMMARY}

Ticket {{ticket.number}} "{{ticket.subject}}" is now assigned to you by {{assigned.by}}.
Reply to this mail to answer the customer.`,
    },
  },
  phrases: {
    noticeNew: 'New ticket',
    noticeReply: 'Customer replied',
    noText: '(no text)',
    unknownSender: 'an unknown sender',
    attachments: 'Attachments:',
    metric: { first_response: 'first response', next_response: 'next response', resolution: 'resolution' },
    customerFallbackName: 'there',
  },
};

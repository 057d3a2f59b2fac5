import type { LanguagePack } from './index.js';

/** Danish, with "du" as Danish support writes; a ticket is a "sag" to Danish customers. */

const SUMMARY = 'Sag {{ticket.number}} · status {{ticket.status}} · prioritet {{ticket.priority}} · afdeling {{ticket.department}}';

export const da: LanguagePack = {
  templates: {
    acknowledgement: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Tak for din henvendelse. Vi har modtaget den og oprettet sag {{ticket.tag}} "{{ticket.subject}}".
Vi vender tilbage til dig hurtigst muligt. Svarer du på denne mail, kommer dit svar automatisk med i sagen.

Dette er en automatisk besked.`,
    },
    agentNotification: {
      subject: '{{notice.kind}}: {{ticket.subject}}',
      text: `${SUMMARY}
Fra: {{message.from}}
Emne: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
    },
    slaWarning: {
      subject: 'SLA udløber snart ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Fristen for {{sla.metric}} udløber {{sla.dueAt}}.`,
    },
    slaBreach: {
      subject: 'SLA overskredet ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Fristen for {{sla.metric}} udløb {{sla.dueAt}}.`,
    },
    autoClose: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Vi har ikke hørt fra dig, så vi har lukket sag {{ticket.tag}} "{{ticket.subject}}".
Har du stadig brug for hjælp, kan du bare svare på denne mail – så bliver sagen genåbnet.

Dette er en automatisk besked.`,
    },
    autoCloseWarning: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Sag {{ticket.tag}} "{{ticket.subject}}" venter på dit svar.
Hører vi ikke fra dig, lukker vi sagen om kort tid.

Dette er en automatisk besked.`,
    },
    resolved: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Vi har markeret sag {{ticket.tag}} "{{ticket.subject}}" som løst.
Er problemet alligevel ikke løst for dig, kan du bare svare på denne mail – så bliver sagen genåbnet.

Dette er en automatisk besked.`,
    },
    satisfaction: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Vi har løst sag {{ticket.tag}} "{{ticket.subject}}". Hvordan klarede vi det?

Godt:    {{satisfaction.good}}
Dårligt: {{satisfaction.bad}}

Du kan også svare på denne mail med en kommentar – den går direkte til vores team.

Dette er en automatisk besked.`,
    },
    postponed: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hej {{customer.name}},

Vi har sat sag {{ticket.tag}} "{{ticket.subject}}" i bero til {{postponed.until}} og vender tilbage til dig til den tid.
Du er altid velkommen til at skrive i mellemtiden – svar bare på denne mail.

Dette er en automatisk besked.`,
    },
    agentReply: {
      subject: 'Re: {{ticket.subject}}',
      text: '{{reply.text}}',
      html: '{{reply.html}}',
    },
    assigned: {
      subject: 'Tildelt dig: {{ticket.subject}}',
      text: `${SUMMARY}

Sag {{ticket.number}} "{{ticket.subject}}" er nu tildelt dig af {{assigned.by}}.
Du svarer kunden ved at svare på denne mail.`,
    },
  },
  phrases: {
    noticeNew: 'Ny sag',
    noticeReply: 'Kunden har svaret',
    noText: '(ingen tekst)',
    unknownSender: 'en ukendt afsender',
    attachments: 'Vedhæftede filer:',
    metric: { first_response: 'første svar', next_response: 'næste svar', resolution: 'løsning' },
    customerFallbackName: 'med dig',
  },
};

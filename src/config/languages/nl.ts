import type { LanguagePack } from './index.js';

/** Dutch, with "je": the friendly-but-polite register of Dutch online support. */

const SUMMARY = 'Ticket {{ticket.number}} · status {{ticket.status}} · prioriteit {{ticket.priority}} · afdeling {{ticket.department}}';

export const nl: LanguagePack = {
  templates: {
    acknowledgement: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

Bedankt voor je bericht. We hebben het goed ontvangen en er ticket {{ticket.tag}} "{{ticket.subject}}" voor aangemaakt.
Een van onze medewerkers reageert zo snel mogelijk. Antwoord je op deze mail, dan wordt je reactie aan het ticket toegevoegd.

Dit is een automatisch bericht.`,
    },
    agentNotification: {
      subject: '{{notice.kind}}: {{ticket.subject}}',
      text: `${SUMMARY}
Van: {{message.from}}
Onderwerp: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
    },
    slaWarning: {
      subject: 'SLA verloopt bijna ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

De termijn voor de {{sla.metric}} verloopt op {{sla.dueAt}}.`,
    },
    slaBreach: {
      subject: 'SLA overschreden ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

De termijn voor de {{sla.metric}} is op {{sla.dueAt}} verstreken.`,
    },
    autoClose: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

We hebben niets meer van je gehoord, daarom hebben we ticket {{ticket.tag}} "{{ticket.subject}}" gesloten.
Heb je toch nog hulp nodig? Beantwoord dan gewoon deze mail, dan gaat het ticket weer open.

Dit is een automatisch bericht.`,
    },
    autoCloseWarning: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

Ticket {{ticket.tag}} "{{ticket.subject}}" wacht nog op je reactie.
Als we niets van je horen, sluiten we het ticket binnenkort.

Dit is een automatisch bericht.`,
    },
    resolved: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

We hebben ticket {{ticket.tag}} "{{ticket.subject}}" als opgelost gemarkeerd.
Is je probleem toch nog niet verholpen? Reageer dan gewoon op deze mail, dan gaat het ticket weer open.

Dit is een automatisch bericht.`,
    },
    satisfaction: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

We hebben ticket {{ticket.tag}} "{{ticket.subject}}" afgerond. Hoe hebben we het gedaan?

Goed:   {{satisfaction.good}}
Slecht: {{satisfaction.bad}}

Je kunt ook op deze mail antwoorden met een opmerking; die komt bij ons team terecht.

Dit is een automatisch bericht.`,
    },
    postponed: {
      subject: 'Re: {{ticket.subject}}',
      text: `Beste {{customer.name}},

We hebben ticket {{ticket.tag}} "{{ticket.subject}}" tot {{postponed.until}} in de wacht gezet en komen er dan bij je op terug.
Wil je in de tussentijd iets laten weten? Beantwoord dan gewoon deze mail.

Dit is een automatisch bericht.`,
    },
    agentReply: {
      subject: 'Re: {{ticket.subject}}',
      text: '{{reply.text}}',
      html: '{{reply.html}}',
    },
    assigned: {
      subject: 'Aan jou toegewezen: {{ticket.subject}}',
      text: `${SUMMARY}

Ticket {{ticket.number}} "{{ticket.subject}}" is door {{assigned.by}} aan jou toegewezen.
Beantwoord deze mail om de klant een antwoord te sturen.`,
    },
  },
  phrases: {
    noticeNew: 'Nieuw ticket',
    noticeReply: 'Reactie van klant',
    noText: '(geen tekst)',
    unknownSender: 'een onbekende afzender',
    attachments: 'Bijlagen:',
    metric: { first_response: 'eerste reactie', next_response: 'volgende reactie', resolution: 'oplossing' },
    customerFallbackName: 'klant',
  },
};

import type { LanguagePack } from './index.js';

/** Italian, in the "Lei" form with the courtesy capitals (Le, Sua) of Italian customer service. */

const SUMMARY = 'Ticket {{ticket.number}} · stato {{ticket.status}} · priorità {{ticket.priority}} · reparto {{ticket.department}}';

export const it: LanguagePack = {
  templates: {
    acknowledgement: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

La ringraziamo per averci contattato. Abbiamo ricevuto il Suo messaggio e aperto il ticket {{ticket.tag}} "{{ticket.subject}}".
Il nostro team di assistenza Le risponderà al più presto. Se risponde a questa e-mail, la Sua risposta verrà aggiunta al ticket.

Questo è un messaggio automatico.`,
    },
    agentNotification: {
      subject: '{{notice.kind}}: {{ticket.subject}}',
      text: `${SUMMARY}
Da: {{message.from}}
Oggetto: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
    },
    slaWarning: {
      subject: 'SLA in scadenza ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Il termine per la {{sla.metric}} scade il {{sla.dueAt}}.`,
    },
    slaBreach: {
      subject: 'SLA non rispettato ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Il termine per la {{sla.metric}} è scaduto il {{sla.dueAt}}.`,
    },
    autoClose: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

non avendo ricevuto Sue notizie, abbiamo chiuso il ticket {{ticket.tag}} "{{ticket.subject}}".
Se ha ancora bisogno di aiuto, risponda semplicemente a questa e-mail e il ticket verrà riaperto.

Questo è un messaggio automatico.`,
    },
    autoCloseWarning: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

il ticket {{ticket.tag}} "{{ticket.subject}}" è in attesa di una Sua risposta.
In assenza di riscontro, lo chiuderemo a breve.

Questo è un messaggio automatico.`,
    },
    resolved: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

abbiamo contrassegnato il ticket {{ticket.tag}} "{{ticket.subject}}" come risolto.
Se per Lei la questione non è ancora chiusa, risponda semplicemente a questa e-mail e il ticket verrà riaperto.

Questo è un messaggio automatico.`,
    },
    satisfaction: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

abbiamo risolto il ticket {{ticket.tag}} "{{ticket.subject}}". Come valuta il nostro supporto?

Positivo: {{satisfaction.good}}
Negativo: {{satisfaction.bad}}

Può anche rispondere a questa e-mail con un commento: lo leggerà il nostro team.

Questo è un messaggio automatico.`,
    },
    postponed: {
      subject: 'Re: {{ticket.subject}}',
      text: `Gentile {{customer.name}},

abbiamo messo in attesa il ticket {{ticket.tag}} "{{ticket.subject}}" fino al {{postponed.until}}: a quel punto La ricontatteremo.
Se nel frattempo desidera aggiungere qualcosa, può rispondere a questa e-mail in qualsiasi momento.

Questo è un messaggio automatico.`,
    },
    agentReply: {
      subject: 'Re: {{ticket.subject}}',
      text: '{{reply.text}}',
      html: '{{reply.html}}',
    },
    assigned: {
      subject: 'Ticket assegnato: {{ticket.subject}}',
      text: `${SUMMARY}

Il ticket {{ticket.number}} "{{ticket.subject}}" Le è stato assegnato da {{assigned.by}}.
Può rispondere al cliente replicando a questa e-mail.`,
    },
  },
  phrases: {
    noticeNew: 'Nuovo ticket',
    noticeReply: 'Risposta del cliente',
    noText: '(nessun testo)',
    unknownSender: 'mittente sconosciuto',
    attachments: 'Allegati:',
    metric: { first_response: 'prima risposta', next_response: 'risposta successiva', resolution: 'risoluzione' },
    customerFallbackName: 'cliente',
  },
};

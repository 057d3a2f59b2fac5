import type { LanguagePack } from './index.js';

/** German, with "Sie"; after the greeting's comma the text goes on in lower case, as German letters do. */

const SUMMARY = 'Ticket {{ticket.number}} · Status {{ticket.status}} · Priorität {{ticket.priority}} · Abteilung {{ticket.department}}';

export const de: LanguagePack = {
  templates: {
    acknowledgement: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

vielen Dank für Ihre Nachricht. Wir haben dazu das Ticket {{ticket.tag}} „{{ticket.subject}}“ angelegt.
Unser Support-Team meldet sich so bald wie möglich bei Ihnen. Wenn Sie auf diese E-Mail antworten, wird Ihre Antwort dem Ticket hinzugefügt.

Dies ist eine automatisch versendete Nachricht.`,
    },
    agentNotification: {
      subject: '{{notice.kind}}: {{ticket.subject}}',
      text: `${SUMMARY}
Von: {{message.from}}
Betreff: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
    },
    slaWarning: {
      subject: 'SLA läuft bald ab ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Die Frist für die {{sla.metric}} endet am {{sla.dueAt}}.`,
    },
    slaBreach: {
      subject: 'SLA überschritten ({{sla.metric}}): {{ticket.subject}}',
      text: `${SUMMARY}

Die Frist für die {{sla.metric}} ist am {{sla.dueAt}} abgelaufen.`,
    },
    autoClose: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

da wir nichts mehr von Ihnen gehört haben, haben wir das Ticket {{ticket.tag}} „{{ticket.subject}}“ geschlossen.
Falls Sie noch Hilfe benötigen, antworten Sie einfach auf diese E-Mail – dann wird das Ticket wieder geöffnet.

Dies ist eine automatisch versendete Nachricht.`,
    },
    autoCloseWarning: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

das Ticket {{ticket.tag}} „{{ticket.subject}}“ wartet noch auf Ihre Antwort.
Wenn wir nichts von Ihnen hören, schließen wir es in Kürze.

Dies ist eine automatisch versendete Nachricht.`,
    },
    resolved: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

wir haben das Ticket {{ticket.tag}} „{{ticket.subject}}“ als gelöst markiert.
Falls Ihr Anliegen damit noch nicht erledigt ist, antworten Sie einfach auf diese E-Mail – dann wird das Ticket wieder geöffnet.

Dies ist eine automatisch versendete Nachricht.`,
    },
    satisfaction: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

wir haben das Ticket {{ticket.tag}} „{{ticket.subject}}“ abgeschlossen. Wie zufrieden waren Sie mit unserer Hilfe?

Gut:      {{satisfaction.good}}
Schlecht: {{satisfaction.bad}}

Sie können auch auf diese E-Mail antworten und uns einen Kommentar schreiben; er geht direkt an unser Team.

Dies ist eine automatisch versendete Nachricht.`,
    },
    postponed: {
      subject: 'Re: {{ticket.subject}}',
      text: `Hallo {{customer.name}},

wir haben das Ticket {{ticket.tag}} „{{ticket.subject}}“ bis {{postponed.until}} zurückgestellt und melden uns dann wieder bei Ihnen.
Sie können uns aber jederzeit vorher schreiben: Antworten Sie einfach auf diese E-Mail.

Dies ist eine automatisch versendete Nachricht.`,
    },
    agentReply: {
      subject: 'Re: {{ticket.subject}}',
      text: '{{reply.text}}',
      html: '{{reply.html}}',
    },
    assigned: {
      subject: 'Ihnen zugewiesen: {{ticket.subject}}',
      text: `${SUMMARY}

Das Ticket {{ticket.number}} „{{ticket.subject}}“ wurde Ihnen von {{assigned.by}} zugewiesen.
Wenn Sie auf diese E-Mail antworten, geht Ihre Antwort an den Kunden.`,
    },
  },
  phrases: {
    noticeNew: 'Neues Ticket',
    noticeReply: 'Neue Kundenantwort',
    noText: '(kein Text)',
    unknownSender: 'unbekannter Absender',
    attachments: 'Anhänge:',
    metric: { first_response: 'erste Antwort', next_response: 'nächste Antwort', resolution: 'Lösung' },
    customerFallbackName: 'liebe Kundin, lieber Kunde',
  },
};

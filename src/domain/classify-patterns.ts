/*
 * The words automated mail is recognised by, as tables a reviewer can read and
 * extend one language at a time. classify.ts decides with them; nothing here
 * decides alone. Every pattern is linear (no nested quantifiers): they run on
 * the event loop, on text the sender chose.
 */

/** Not inside a word: "our" is no match in "your". */
const WORD_START = '(?<![\\p{L}\\p{N}])';

/** Builds a case-insensitive pattern from table entries (each a regex source). */
function anyOf(entries: readonly string[], prefix = '', suffix = ''): RegExp {
  return new RegExp(`${prefix}(?:${entries.join('|')})${suffix}`, 'iu');
}

/**
 * "Automatic reply" and "out of office" as clients and vacation responders
 * write them at the start of a subject, before a colon. Only forms no person
 * starts a subject of their own with.
 */
const AUTO_REPLY_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  en: [
    'auto(?:matic|mated)?[ -]?(?:reply|response|respons|answer)',
    'autoresponder',
    'out of (?:the )?office(?: reply| autoreply| notice| message)?',
    'OOF',
    'OOO',
    'vacation (?:reply|response|notice|message)',
  ],
  de: ['automatische antwort', 'auto-?antwort', 'abwesenheitsnotiz', 'abwesenheits(?:nachricht|meldung)', 'abwesend', 'abwesenheit'],
  fr: ['r[ée]ponse automatique', "message d'absence", 'absence', 'absente?(?: du bureau)?'],
  es: ['respuesta autom[áa]tica', 'fuera de (?:la )?oficina', 'ausente'],
  pt: ['resposta autom[áa]tica', 'fora do escrit[óo]rio', 'ausente do escrit[óo]rio'],
  ca: ['resposta autom[àa]tica', 'fora de l.oficina'],
  it: ['risposta automatica', 'assente', 'fuori (?:sede|ufficio)'],
  nl: ['automatisch antwoord', 'automatisch bericht', 'afwezig', 'afwezigheid(?:sbericht)?'],
  da: ['automatisk svar', 'autosvar', 'fraværende', 'fravær', 'ikke på kontoret'],
  no: ['automatisk svar', 'autosvar', 'fraværende', 'fravær', 'ikke på kontoret'],
  sv: ['automatiskt svar', 'autosvar', 'frånvarande', 'frånvaro', 'inte på kontoret'],
  fi: ['automaattinen vastaus', 'poissa toimistolta', 'lomaviesti'],
  pl: ['automatyczna odpowied[źz]', 'odpowied[źz] automatyczna', 'nieobecno[śs][ćc]', 'poza biurem'],
  cs: ['automatick[áa] odpov[ěe][ďd]', 'mimo kancel[áa][řr]'],
  sk: ['automatick[áa] odpove[ďd]'],
  hu: ['automatikus v[áa]lasz', 'h[áa]zon k[íi]v[üu]l'],
  ro: ['r[ăa]spuns automat'],
  tr: ['otomatik (?:yan[ıi]t|cevap)', 'ofis d[ıi][şs][ıi]nda'],
  ru: ['автоответ', 'автоматический ответ'],
  uk: ['автоматична відповідь'],
  el: ['αυτόματη απάντηση'],
  ja: ['自動応答', '自動返信', '不在'],
  zh: ['自动回复', '自動回覆', '自動回復'],
  ko: ['자동 ?회신', '자동 ?응답', '부재 ?중'],
};

/** A leading tag a gateway or list puts before the subject: `[EXTERNAL]`, `[List]`. */
const LEADING_TAG = '^\\s*(?:\\[[^\\]\\n]{1,40}\\]\\s*)?';

/** An auto-reply subject: a prefix of the table, or a bracketed marker, or Lotus Notes' `AUTO:` (upper or lower case only: "Auto:" is a German car). */
export const AUTO_REPLY_SUBJECT: readonly RegExp[] = [
  anyOf(Object.values(AUTO_REPLY_PREFIXES).flat(), LEADING_TAG, '\\s*:'),
  /^\s*\[\s*(?:auto[ -]?(?:generated|reply|response)|automatyczna odpowiedź|automatic reply)\s*\]/i,
  /^\s*(?:AUTO|auto)\s*:/,
];

/**
 * "Away" anywhere in a subject: alone it proves nothing (a customer asks
 * about their out-of-office settings), but with `X-Auto-Response-Suppress`
 * it is Outlook's out-of-office answer.
 */
export const AWAY_SUBJECT = anyOf(
  [
  ...Object.values(AUTO_REPLY_PREFIXES).flat(),
  'on (?:vacation|holiday|leave|annual leave)',
  'away (?:from|until|till)',
  'urlaub',
  'en cong[ée]s?',
  'de vacaciones',
  'in ferie',
  'op vakantie',
  'på (?:semester|ferie)',
  'lomalla',
  'na urlopie',
  ],
  '(?<![\\p{L}\\p{N}])',
  '(?![\\p{L}\\p{N}])',
);

/** Subjects of delivery failures, as MTAs and Outlook (in its languages) write them. */
export const BOUNCE_SUBJECT = anyOf([
  'undeliver(?:ed|able)',
  'returned mail',
  'mail delivery (?:failed|failure|subsystem)',
  'delivery (?:status notification|failure|notification|report|has failed|status)',
  'failure notice',
  'could not be delivered',
  'not (?:be )?delivered',
  'returning message to sender',
  'mail system error',
  'non[- ]?delivery',
  'rejected',
  'error sending your mail',
  'message delivery has failed',
  // Outlook / Exchange NDR subjects
  'nicht zustellbar',
  'unzustellbar',
  'non remis',
  'no se puede entregar',
  'no entregado',
  'n[ãa]o (?:[ée] poss[íi]vel entregar|entregue)',
  'impossibile recapitare',
  'non recapitabile',
  'onbestelbaar',
  'niet bezorgd',
  'kan ikke leveres',
  'kunne ikke leveres',
  'kunde inte levereras',
  'det gick inte att leverera',
  'ej levererat',
  'nie mo[żz]na dostarczy[ćc]',
  'niedostarczon',
  'nedoru[čc]iteln',
  'k[ée]zbes[íi]thetetlen',
  'teslim edilemedi',
  'toimittamaton',
  'nu (?:a putut fi livrat|poate fi livrat)',
  'не удается доставить',
  'не доставлено',
  'недоставленное',
  '無法傳遞',
  '无法投递',
  '无法传递',
  '配信不能',
  'メッセージを配信できません',
  'メールエラー',
  '배달되지 않음',
  '배달 못함',
]);

/** Subjects of "still trying" notices (Postfix, Sendmail, Exim, Gmail, Exchange). */
export const DELAY_SUBJECT = anyOf([
  '\\bdelay(?:ed)?\\b',
  'still being retried',
  'could not (?:be )?sen[dt] (?:the )?message for (?:the )?past',
  'will (?:continue|keep) (?:to )?(?:try|retry)',
  'verz[öo]gert',
  'retard[ée]',
  'retrasad',
  'ritardat',
  'vertraagd',
  'forsinket',
  'f[öo]rsenad',
]);

/** Words of a final failure: a "delayed" subject with one of them ("Returned mail: delayed 5 days, giving up") is no delay notice. */
export const GAVE_UP_SUBJECT = /returned mail|undeliver|fail|could not be delivered|returning message|non[- ]?delivery|rejected|giv(?:en|ing) up|gave up/i;

/** Subjects of delivery and read confirmations: nothing failed. */
export const DELIVERED_SUBJECT = anyOf([
  '^\\s*(?:delivered|delivery (?:receipt|confirmation)|message delivered|zugestellt|remis|entregado|consegnato|bezorgd|leveret|levert|levererat|toimitettu|dostarczono|doru[čc]eno|k[ée]zbes[íi]tve|доставлено|已送达|配信済み|전달됨)\\s*:',
  'successful mail delivery report',
  'delivery status notification \\(success\\)',
  'your (?:message|e-?mail) (?:has been|was) delivered',
  'message delivered successfully',
]);

/** A reply or forward quotes its original subject: "Re: Delivery failed" is not a notice. */
export const REPLY_PREFIX = /^\s*(?:re|aw|sv|antw|antwort|vs|fwd?|wg|tr|rv|doorst|enc|r)\s*(?:\[\d+\])?\s*:/i;

/** Headers of auto-responders by name (RFC 3834 is `Auto-Submitted`, read on its own). */
export const VENDOR_AUTO_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autoresponse', 'x-autoreply-from', 'x-mail-autoreply', 'x-autogenerated'];

/** `Precedence` values of automatic mail (`auto-reply` with a hyphen is what some responders write). */
export const AUTO_PRECEDENCE = new Set(['auto_reply', 'auto-reply', 'bulk', 'junk', 'list']);

/** The Exchange organisation mailbox that sends Outlook's NDRs: `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@…`. */
export const EXCHANGE_SYSTEM_SENDER = /^microsoftexchange[0-9a-f]{32}$/;

/* Mailing-list managers (fml, Mailman, Majordomo, LISTSERV, Sympa, ecartis, ezmlm, mlmmj). */

/** Headers only a list manager writes on its own mail. */
export const LIST_MANAGER_HEADERS = ['x-mlserver', 'x-ml-server', 'x-ml-name', 'x-ml-info', 'x-mailman-version', 'x-list-administrivia', 'x-ecartis-version', 'x-listar-version', 'x-listserver', 'x-lsv-listid', 'mailing-list'];

/** The local part a list manager answers from: `elena-admin`, `list-owner`, `list-request`, `majordomo`… */
export const LIST_MANAGER_SENDER = /(?:^|[-_.])(?:admin|owner|request|bounces?|errors?)$|^(?:owner|majordomo|listserv|listproc|sympa|ecartis|listar|mailman|ezmlm|fml|mlmmj)(?:[-_.]|$)/;

/** A list manager refusing a mail (subject or text): not a member, rejected, a loop or security alert. */
export const LIST_MANAGER_ERROR = anyOf([
  'are not (?:a )?member',
  'not member article',
  'rejected',
  'reject mail',
  'refused',
  'spam mail from a spammer',
  'fml system error',
  'loop alert',
  'loop back warning',
  'unix from loop',
  'security alert',
  'duplicated message-id',
  'may cause mail loop',
  'could not be (?:posted|distributed)',
  'posting (?:not allowed|denied)',
]);

/** A list manager holding a mail for its moderator: no failure (yet). */
export const LIST_MANAGER_HOLD = anyOf(['awaits moderator', 'moderator approval', 'held (?:for|until)', 'being held', 'pending (?:approval|moderation)']);

/*
 * Challenge-response: a message held until the sender proves they are a
 * person. It carries no marker at all, so it takes two kinds of evidence —
 * something the sender is asked to do, and the hold, the list, or a known
 * service — before it counts.
 */

/** The sender is asked to act: prove they are human, or follow a link to confirm, release or be added. */
export const CHALLENGE_ASK = anyOf(
  [
  '(?:verify|confirm|prove|show) (?:that )?you(?:\'| a)re (?:a )?(?:human|real person|person|not a (?:robot|spammer|machine|bot))',
  '(?:click|follow|visit|open) (?:on )?(?:the|this) link(?: below)?[^.!?\\n]{0,60}?(?:verify|confirm|validate|approve|release|deliver|be added|request)',
  'reply to this (?:message|e-?mail) to (?:confirm|verify|be added)',
  '(?:this is an? |this |for this )(?:automatic|automated|auto-generated) (?:reply|response)',
  'prouve[rz]? que vous (?:[êe]tes (?:un [êe]tre humain|une personne)|n.[êe]tes pas un (?:robot|spammeur))',
  'cliquez[^.!?\\n]{0,60}?(?:valider|confirmer|d[ée]bloquer|d[ée]livrer)',
  'best[äa]tigen sie, dass sie (?:ein mensch|kein (?:roboter|spammer))',
  'klicken sie[^.!?\\n]{0,60}?(?:best[äa]tigen|freigeben|zuzustellen)',
  '(?:confirme|verifique|demuestre) que (?:es|eres) (?:una persona|humano)',
  'haga clic[^.!?\\n]{0,60}?(?:confirmar|validar|verificar)',
  'conferma(?:re)? che sei (?:una persona|umano)',
  'bevestig dat u (?:een mens|geen robot)',
  ],
  WORD_START,
);

/** The hold: the sender's message waits for their answer. */
export const CHALLENGE_HOLD = anyOf(
  [
  '(?:your|this) (?:e-?mail|mail|message)(?: (?:to|about|for|sent to) [^!?\\n]{1,120}?)? (?:is|has been|was|will be) (?:being )?(?:held|quarantined|waitlisted|put on hold|placed on hold|pending|awaiting)',
  'only (?:accept|allow|receive)s? (?:incoming )?(?:e-?mails?|messages) (?:only )?from (?:approved|known|verified|authori[sz]ed)',
  'senders i have approved',
  'votre (?:message|e-?mail|courriel)[^!?\\n]{0,120}? (?:est|a [ée]t[ée]) (?:mis )?en attente',
  'ihre (?:nachricht|e-?mail)[^!?\\n]{0,120}? (?:wurde|wird) (?:zur[üu]ckgehalten|angehalten|in (?:die )?quarant[äa]ne)',
  'su (?:mensaje|correo)[^!?\\n]{0,120}? (?:est[áa]|ha sido) (?:retenido|en espera|pendiente)',
  'il (?:tuo|suo) messaggio[^!?\\n]{0,120}? [èe] (?:stato )?(?:trattenuto|in attesa)',
  'uw (?:bericht|e-?mail)[^!?\\n]{0,120}? (?:is|wordt) (?:tegengehouden|vastgehouden|in afwachting)',
  ],
  WORD_START,
);

/** The list the sender is invited onto: the recipient's own ("my list of approved senders"), not a customer's "your whitelist". */
export const CHALLENGE_LIST = anyOf(
  [
  '(?:my|our) (?:list of )?(?:approved|accepted|allowed|safe|trusted|known) senders?(?: list)?',
  '(?:my|our) (?:personal )?(?:white ?list|guest list)',
  'add (?:yourself|you|your (?:e-?mail )?address) to (?:my|our|the) (?:list|white ?list|guest list|approved senders)',
  '(?:ma|notre) liste (?:blanche|d.exp[ée]diteurs (?:autoris[ée]s|approuv[ée]s))',
  '(?:meine|unsere) (?:whitelist|liste (?:der )?(?:zugelassenen|erlaubten|freigegebenen) absender)',
  '(?:mi|nuestra) lista (?:blanca|de remitentes (?:aprobados|autorizados))',
  ],
  WORD_START,
);

/** Services known to send challenges. */
export const CHALLENGE_SERVICE = /\b(?:boxbe|spam ?arrest|mailinblack|mail-in-black|bluebottle|choicemail|tmda|qconfirm|spamcease|challenge[- ]response)\b/i;

/* Abuse feedback reports (RFC 5965) written out as text, without the multipart/report header. */

/** The first field of an ARF report. */
export const ARF_FEEDBACK_TYPE = /^feedback-type:[ \t]*(?:abuse|fraud|virus|other|not-spam|auth-failure|opt-out|unsubscribe)\b/im;
/** The fields that come with it. */
export const ARF_FIELDS = /^(?:original-mail-from|original-rcpt-to|arrival-date|reported-domain|source-ip|reported-uri):/gim;

/** An RFC 3463 enhanced status code in prose ("550 5.1.1 <x>: user unknown"), not a version or an address. */
export const ENHANCED_STATUS = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)/g;

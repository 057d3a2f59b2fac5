/**
 * What mail clients write around quoted history and below a reply, per
 * language. Data only: `quote-lines.ts` compiles it into bounded, linear-time
 * matchers, and `extract-reply.ts` decides what to cut. To support a client or
 * language, add its words here; a fixture under `test/fixtures/replies/` shows it.
 *
 * In `mobileFooters`, `*` stands for a device or app name (one to six words,
 * e.g. "my iPhone", "Outlook for iOS").
 */
export interface LanguagePatterns {
  /** Words that open an attribution: "On" in "On Mon, 2 Mar 2026 at 10:15, Carol <c@x> wrote:". */
  readonly attributionLeads: readonly string[];
  /** Its verb: "wrote", "schrieb", "a écrit"; at the end or in the middle of the line. */
  readonly attributionVerbs: readonly string[];
  /** Titles of a separator line: "-----Original Message-----", "---------- Forwarded message ----------". */
  readonly separators: readonly string[];
  /** Lines that introduce a forwarded message on their own: "Begin forwarded message:". */
  readonly forwardIntros: readonly string[];
  /** Field names of a header block (Outlook's "From: / Sent: / To: / Subject:"). */
  readonly headerFields: {
    readonly from: readonly string[];
    readonly date: readonly string[];
    readonly to: readonly string[];
    readonly subject: readonly string[];
  };
  /** Footers mobile clients append ("Sent from my iPhone"). */
  readonly mobileFooters: readonly string[];
  /** Phrases that open a sign-off ("Thanks,", "Best regards"). */
  readonly signOffs: readonly string[];
}

export type Language =
  | 'en' | 'de' | 'fr' | 'es' | 'pt' | 'it' | 'ca' | 'ro' | 'nl' | 'da' | 'no' | 'sv' | 'fi'
  | 'pl' | 'cs' | 'ru' | 'uk' | 'tr' | 'hu' | 'ar' | 'he' | 'zh' | 'ja' | 'ko';

const none: readonly string[] = [];

export const REPLY_PATTERNS: Readonly<Record<Language, LanguagePatterns>> = {
  en: {
    attributionLeads: ['On', 'At', 'In message'],
    attributionVerbs: ['wrote', 'writes', 'said', 'says'],
    separators: ['Original Message', 'Reply Message', 'Forwarded Message', 'Forwarded message'],
    forwardIntros: ['Begin forwarded message:'],
    headerFields: { from: ['From'], date: ['Sent', 'Date'], to: ['To', 'Cc', 'Bcc', 'Reply-To'], subject: ['Subject'] },
    mobileFooters: ['Sent from *', 'Sent with *', 'Sent via *', 'Sent by *', 'Sent using *', 'From my *', '* from mobile', 'Get Outlook for *'],
    signOffs: ['Thanks', 'Thank you', 'Many thanks', 'Thx', 'Regards', 'Best regards', 'Kind regards', 'Warm regards', 'Best',
      'Best wishes', 'All the best', 'Cheers', 'Sincerely', 'Yours', 'Yours sincerely', 'Take care'],
  },
  de: {
    attributionLeads: ['Am'],
    attributionVerbs: ['schrieb', 'schrieben', 'geschrieben', 'hat geschrieben'],
    separators: ['Ursprüngliche Nachricht', 'Antwort Nachricht', 'Weitergeleitete Nachricht', 'Originalnachricht'],
    forwardIntros: ['Anfang der weitergeleiteten Nachricht:', 'Beginn der weitergeleiteten Nachricht:'],
    headerFields: { from: ['Von'], date: ['Gesendet', 'Datum'], to: ['An', 'Cc', 'Kopie', 'Antwort an'], subject: ['Betreff'] },
    mobileFooters: ['Von meinem * gesendet', 'Gesendet von *', 'Gesendet mit *', 'Diese Nachricht wurde von * gesendet'],
    signOffs: ['Danke', 'Vielen Dank', 'Grüße', 'Gruß', 'Viele Grüße', 'Beste Grüße', 'Liebe Grüße', 'Mit freundlichen Grüßen',
      'Freundliche Grüße', 'MfG', 'LG'],
  },
  fr: {
    attributionLeads: ['Le'],
    attributionVerbs: ['a écrit', 'écrit', 'nous a dit'],
    separators: ["Message d'origine", 'Message transféré', 'Message original'],
    forwardIntros: ['Début du message transféré :', 'Début du message réexpédié :'],
    headerFields: { from: ['De', 'Expéditeur'], date: ['Envoyé', 'Date'], to: ['À', 'A', 'Destinataire', 'Cc', 'Répondre à'], subject: ['Objet', 'Sujet'] },
    mobileFooters: ['Envoyé de mon *', 'Envoyé depuis *', 'Envoyé à partir de *', 'Télécharger Outlook pour *'],
    signOffs: ['Merci', 'Merci beaucoup', 'Cordialement', 'Bien cordialement', 'Bien à vous', 'Bonne journée', 'Amitiés', 'Salutations'],
  },
  es: {
    attributionLeads: ['El', 'En'],
    attributionVerbs: ['escribió'],
    separators: ['Mensaje original', 'Mensaje reenviado'],
    forwardIntros: ['Inicio del mensaje reenviado:'],
    headerFields: { from: ['De'], date: ['Enviado', 'Enviado el', 'Fecha'], to: ['Para', 'CC'], subject: ['Asunto'] },
    mobileFooters: ['Enviado desde mi *', 'Enviado desde *', 'Obtener Outlook para *'],
    signOffs: ['Gracias', 'Muchas gracias', 'Saludos', 'Un saludo', 'Saludos cordiales', 'Atentamente', 'Un abrazo'],
  },
  pt: {
    attributionLeads: ['Em', 'No dia'],
    attributionVerbs: ['escreveu'],
    separators: ['Mensagem original', 'Mensagem encaminhada'],
    forwardIntros: ['Início da mensagem reencaminhada:', 'Início da mensagem encaminhada:'],
    headerFields: { from: ['De'], date: ['Enviado', 'Enviada em', 'Data'], to: ['Para', 'Cc'], subject: ['Assunto'] },
    mobileFooters: ['Enviado do meu *', 'Enviado de meu *', 'Enviado do *'],
    signOffs: ['Obrigado', 'Obrigada', 'Atenciosamente', 'Abraços', 'Cumprimentos', 'Saudações'],
  },
  it: {
    attributionLeads: ['Il', 'In data'],
    attributionVerbs: ['ha scritto', 'scritto'],
    separators: ['Messaggio originale', 'Messaggio inoltrato'],
    forwardIntros: ['Inizio messaggio inoltrato:'],
    headerFields: { from: ['Da'], date: ['Inviato', 'Data'], to: ['A', 'Cc', 'Risposta'], subject: ['Oggetto'] },
    mobileFooters: ['Inviato da *', 'Inviato dal mio *'],
    signOffs: ['Grazie', 'Grazie mille', 'Saluti', 'Cordiali saluti', 'Distinti saluti', 'Buona giornata'],
  },
  ca: {
    attributionLeads: ['El'],
    attributionVerbs: ['ha escrit', 'va escriure'],
    separators: ['Missatge original', 'Missatge reenviat'],
    forwardIntros: none,
    headerFields: { from: ['De'], date: ['Enviat', 'Data'], to: ['Per a', 'A', 'A/c'], subject: ['Assumpte'] },
    mobileFooters: ['Enviat des del meu *', 'Enviat des de *'],
    signOffs: ['Gràcies', 'Moltes gràcies', 'Salutacions', 'Atentament'],
  },
  ro: {
    attributionLeads: ['Pe', 'În'],
    attributionVerbs: ['a scris'],
    separators: ['Mesaj original', 'Mesaj redirecționat'],
    forwardIntros: none,
    headerFields: { from: ['De la'], date: ['Trimis', 'Data'], to: ['Către', 'Cc'], subject: ['Subiect'] },
    mobileFooters: ['Trimis de pe *', 'Trimis din *'],
    signOffs: ['Mulțumesc', 'Mulţumesc', 'Multumesc', 'Cu stimă', 'Cu respect', 'Numai bine', 'Toate cele bune'],
  },
  nl: {
    attributionLeads: ['Op'],
    attributionVerbs: ['schreef', 'het volgende geschreven', 'geschreven'],
    separators: ['Oorspronkelijk bericht', 'Origineel bericht', 'Doorgestuurd bericht'],
    forwardIntros: ['Begin doorgestuurd bericht:'],
    headerFields: { from: ['Van'], date: ['Verzonden', 'Datum'], to: ['Aan', 'CC', 'Beantwoorden - Aan'], subject: ['Onderwerp'] },
    mobileFooters: ['Verzonden vanaf *', 'Verstuurd vanaf *', 'Verzonden met *', 'Download Outlook voor *'],
    signOffs: ['Bedankt', 'Dank je', 'Dank u', 'Groeten', 'Groet', 'Met vriendelijke groet', 'Vriendelijke groet', 'Hartelijke groet'],
  },
  da: {
    attributionLeads: ['Den', 'På'],
    attributionVerbs: ['skrev'],
    separators: ['Oprindelig meddelelse', 'Original meddelelse', 'Videresendt meddelelse'],
    forwardIntros: ['Start på videresendt besked:'],
    headerFields: { from: ['Fra'], date: ['Sendt', 'Dato'], to: ['Til', 'Cc'], subject: ['Emne'] },
    mobileFooters: ['Sendt fra min *', 'Sendt fra *'],
    signOffs: ['Tak', 'Mange tak', 'Hilsen', 'Venlig hilsen', 'De bedste hilsner', 'Mvh'],
  },
  no: {
    attributionLeads: ['Den'],
    attributionVerbs: ['skrev'],
    separators: ['Opprinnelig melding', 'Videresendt melding'],
    forwardIntros: none,
    headerFields: { from: ['Fra'], date: ['Sendt', 'Dato'], to: ['Til', 'Kopi'], subject: ['Emne'] },
    mobileFooters: ['Sendt fra min *'],
    signOffs: ['Takk', 'Tusen takk', 'Hilsen', 'Med vennlig hilsen', 'Vennlig hilsen', 'Mvh'],
  },
  sv: {
    attributionLeads: ['Den'],
    attributionVerbs: ['skrev'],
    separators: ['Ursprungligt meddelande', 'Originalmeddelande', 'Vidarebefordrat meddelande'],
    forwardIntros: ['Vidarebefordrat brev:'],
    headerFields: { from: ['Från'], date: ['Skickat', 'Datum'], to: ['Till', 'Kopia'], subject: ['Ämne'] },
    mobileFooters: ['Skickat från min *', 'Skickat från *', 'Från min *'],
    signOffs: ['Tack', 'Tack så mycket', 'Hälsningar', 'Vänliga hälsningar', 'Med vänlig hälsning', 'Mvh'],
  },
  fi: {
    attributionLeads: none,
    attributionVerbs: ['kirjoitti'],
    separators: ['Alkuperäinen viesti', 'Välitetty viesti'],
    forwardIntros: none,
    headerFields: { from: ['Lähettäjä'], date: ['Lähetetty', 'Päivämäärä'], to: ['Vastaanottaja', 'Kopio'], subject: ['Aihe'] },
    mobileFooters: ['Lähetetty *'],
    signOffs: ['Kiitos', 'Terveisin', 'Ystävällisin terveisin'],
  },
  pl: {
    attributionLeads: ['W dniu', 'Dnia'],
    attributionVerbs: ['napisał(a)', 'napisał', 'napisała', 'pisze'],
    separators: ['Wiadomość oryginalna', 'Oryginalna wiadomość', 'Przekazana wiadomość'],
    forwardIntros: none,
    headerFields: { from: ['Od'], date: ['Wysłano', 'Data'], to: ['Do', 'DW', 'Kopia'], subject: ['Temat'] },
    mobileFooters: ['Wysłane z mojego *', 'Wysłano z mojego *', 'Wysłane z *', 'Wysłano z *'],
    signOffs: ['Dziękuję', 'Dzięki', 'Pozdrawiam', 'Pozdrowienia', 'Z poważaniem'],
  },
  cs: {
    attributionLeads: none,
    attributionVerbs: ['napsal', 'napsala', 'napsal(a)', 'napísal'],
    separators: ['Původní zpráva', 'Přeposlaná zpráva'],
    forwardIntros: none,
    headerFields: { from: ['Od'], date: ['Odesláno', 'Datum'], to: ['Komu', 'Kopie'], subject: ['Předmět'] },
    mobileFooters: ['Odesláno z *'],
    signOffs: ['Děkuji', 'Díky', 'S pozdravem', 'Zdravím'],
  },
  ru: {
    attributionLeads: none,
    attributionVerbs: ['написал', 'написала', 'написал(а)', 'пишет'],
    separators: ['Исходное сообщение', 'Пересылаемое сообщение', 'Перенаправленное сообщение'],
    forwardIntros: none,
    headerFields: { from: ['От', 'От кого'], date: ['Отправлено', 'Дата'], to: ['Кому', 'Копия'], subject: ['Тема'] },
    mobileFooters: ['Отправлено с *', 'Отправлено из *'],
    signOffs: ['Спасибо', 'С уважением', 'Всего доброго', 'С наилучшими пожеланиями'],
  },
  uk: {
    attributionLeads: none,
    attributionVerbs: ['написав', 'написала', 'пише'],
    separators: ['Оригінальне повідомлення', 'Переслане повідомлення'],
    forwardIntros: none,
    headerFields: { from: ['Від'], date: ['Надіслано', 'Дата'], to: ['Кому', 'Копія'], subject: ['Тема'] },
    mobileFooters: ['Надіслано з *'],
    signOffs: ['Дякую', 'З повагою'],
  },
  tr: {
    attributionLeads: none,
    attributionVerbs: ['yazdı'],
    separators: ['Orijinal mesaj', 'Özgün ileti', 'İletilen ileti'],
    forwardIntros: none,
    headerFields: { from: ['Kimden'], date: ['Gönderildi', 'Gönderilme', 'Tarih'], to: ['Kime', 'Bilgi'], subject: ['Konu'] },
    mobileFooters: ['* gönderildi'],
    signOffs: ['Teşekkürler', 'Saygılarımla', 'İyi çalışmalar'],
  },
  hu: {
    attributionLeads: none,
    attributionVerbs: ['írta'],
    separators: ['Eredeti üzenet', 'Továbbított üzenet'],
    forwardIntros: none,
    headerFields: { from: ['Feladó'], date: ['Elküldve', 'Dátum'], to: ['Címzett', 'Másolat'], subject: ['Tárgy'] },
    mobileFooters: ['Elküldve az * eszközről', 'Küldve az * eszközről'],
    signOffs: ['Köszönöm', 'Üdvözlettel'],
  },
  ar: {
    attributionLeads: ['في'],
    attributionVerbs: ['كتب', 'كتبت'],
    separators: ['الرسالة الأصلية', 'الرسالة المعاد توجيهها'],
    forwardIntros: none,
    headerFields: { from: ['من'], date: ['تاريخ الإرسال', 'التاريخ', 'أرسلت'], to: ['إلى', 'نسخة'], subject: ['الموضوع'] },
    mobileFooters: ['أرسلت من *', 'مرسل من *'],
    signOffs: ['شكرا', 'شكراً', 'مع التحية', 'تحياتي', 'مع خالص التحية'],
  },
  he: {
    attributionLeads: ['בתאריך'],
    attributionVerbs: ['כתב', 'כתבה'],
    separators: ['הודעה מקורית', 'הודעה שהועברה'],
    forwardIntros: none,
    headerFields: { from: ['מאת'], date: ['נשלח', 'תאריך'], to: ['אל', 'עותק'], subject: ['נושא'] },
    mobileFooters: ['נשלח מה-*', 'נשלח מ*'],
    signOffs: ['תודה', 'בברכה'],
  },
  zh: {
    attributionLeads: ['在'],
    attributionVerbs: ['写道', '寫道'],
    separators: ['原始邮件', '原始郵件', '转发邮件'],
    forwardIntros: none,
    headerFields: { from: ['发件人', '寄件者', '寄件人'], date: ['发送时间', '日期', '寄件日期'], to: ['收件人', '抄送'], subject: ['主题', '主旨'] },
    mobileFooters: ['从我的 * 发送', '從我的 * 傳送', '发自我的 *'],
    signOffs: ['谢谢', '謝謝', '此致'],
  },
  ja: {
    attributionLeads: none,
    attributionVerbs: ['のメッセージ', 'のメール', '書きました'],
    separators: ['元のメッセージ', '転送されたメッセージ'],
    forwardIntros: ['転送されたメッセージ:'],
    headerFields: { from: ['差出人', '送信者'], date: ['送信日時', '日付'], to: ['宛先', 'CC'], subject: ['件名'] },
    mobileFooters: ['*から送信'],
    signOffs: ['よろしくお願いします', 'よろしくお願いいたします', 'ありがとうございます'],
  },
  ko: {
    attributionLeads: none,
    attributionVerbs: ['작성', '님이 작성'],
    separators: ['원본 메시지', '전달된 메시지'],
    forwardIntros: none,
    headerFields: { from: ['보낸 사람'], date: ['보낸 날짜'], to: ['받는 사람', '참조'], subject: ['제목'] },
    mobileFooters: ['*에서 보냄'],
    signOffs: ['감사합니다'],
  },
};

/** Mobile-footer tails that still make a footer: "Sent from my phone, please excuse typos". */
export const FOOTER_APOLOGIES: readonly string[] = ['please excuse', 'excuse', 'pardon', 'sorry for', 'bitte entschuldigen', 'excusez'];

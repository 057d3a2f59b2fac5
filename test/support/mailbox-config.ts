/** The `mailboxes:` block of a test config: one mailbox `support` on a test Dovecot and SMTP capture. */
export function mailboxYaml(o: {
  imapPort: number;
  user: string;
  smtpPort: number;
  folder?: string;
  /** Extra keys of the imap block, as YAML flow entries. */
  imapExtra?: string;
  /** Extra keys of the smtp block, as YAML flow entries. */
  smtpExtra?: string;
  /** Extra mailbox keys, as YAML lines. */
  mailboxExtra?: string;
}): string[] {
  const more = (extra: string | undefined) => (extra ? `, ${extra}` : '');
  // Tests fill a folder before the daemon starts and expect that mail to be taken as new, unless they say otherwise.
  const imapExtra = o.imapExtra?.includes('existingMail') ? o.imapExtra : ['existingMail: ingest', o.imapExtra].filter(Boolean).join(', ');
  return [
    'mailboxes:',
    '  - name: support',
    '    address: support@example.test',
    ...(o.mailboxExtra ? [`    ${o.mailboxExtra}`] : []),
    `    imap: { host: 127.0.0.1, port: ${o.imapPort}, secure: false, user: "${o.user}", password: \${IMAP_PASSWORD}, folder: ${o.folder ?? 'INBOX'}${more(imapExtra)} }`,
    `    smtp: { host: 127.0.0.1, port: ${o.smtpPort}, secure: false${more(o.smtpExtra)} }`,
  ];
}

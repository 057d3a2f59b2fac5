import type { DeliveryReportEntry } from '../../usecases/parsed-mail.js';

const FIELD = /^([A-Za-z-]+):\s*(.*)$/;
const MAX_SCAN = 1024 * 1024;

/**
 * Reads the per-recipient groups of a `message/delivery-status` part
 * (RFC 3464 §2.3) from a report's raw text: Final-Recipient, Action,
 * Status and Diagnostic-Code. Lenient: folded lines, any order, CRLF or LF.
 */
export function readDeliveryReport(source: Buffer): DeliveryReportEntry[] {
  const text = source.subarray(0, MAX_SCAN).toString('latin1').replace(/\r\n?/g, '\n');
  const first = text.search(/^(Final|Original)-Recipient:/im);
  if (first < 0) return [];
  // The group may begin with other fields (Action before Final-Recipient): start at its blank line.
  const start = text.lastIndexOf('\n\n', first) + 2;
  const entries: DeliveryReportEntry[] = [];
  for (const group of text.slice(start).split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of group.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const match = FIELD.exec(line);
      if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
    }
    if (!fields.has('final-recipient') && !fields.has('action') && !fields.has('status')) {
      if (entries.length > 0) break; // past the report: the returned message follows
      continue;
    }
    entries.push({
      recipient: (fields.get('final-recipient') ?? fields.get('original-recipient') ?? '').replace(/^[^;]*;\s*/, '').replace(/^<(.*)>$/, '$1').trim() || null,
      action: fields.get('action')?.toLowerCase().split(/\s/)[0] ?? null,
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0] ?? null,
      diagnostic: fields.get('diagnostic-code')?.replace(/^[^;]*;\s*/, '').slice(0, 500) ?? null,
    });
  }
  return entries;
}

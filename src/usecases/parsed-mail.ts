import type { InboundFacts } from '../domain/classify.js';

export interface MailAddress {
  readonly address: string;
  readonly name: string;
}

export interface DeliveryReportEntry {
  readonly recipient: string | null;
  readonly action: string | null;
  readonly status: string | null;
  readonly diagnostic: string | null;
}

export interface ParsedAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  /** Null when the attachment was over the size cap and only its metadata is kept. */
  readonly content: Buffer | null;
  readonly contentId: string | null;
  /** Shown inside the HTML body (cid: image) rather than listed. */
  readonly inline: boolean;
}

/** One inbound mail as the use cases see it: decoded, sanitised, size-capped. */
export interface ParsedMail {
  /** Message-ID without brackets; null when the mail has none. */
  readonly messageId: string | null;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly from: MailAddress | null;
  /** Exactly one From header with exactly one address: otherwise no signature can prove who sent it. */
  readonly singleFrom: boolean;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly replyTo: readonly MailAddress[];
  readonly subject: string;
  readonly date: Date | null;
  readonly text: string;
  /** Sanitised HTML body, or null for a plain-text mail. */
  readonly html: string | null;
  readonly attachments: readonly ParsedAttachment[];
  /** What classification reads. */
  readonly facts: InboundFacts;
  /** Message-IDs of a returned (bounced) message carried inside this mail. */
  readonly returnedMessageIds: readonly string[];
  /** Per-recipient fields of a delivery status report (RFC 3464), when the mail is one. */
  readonly deliveryReport: readonly DeliveryReportEntry[];
  /** Outlook's Thread-Index header, if present. */
  readonly threadIndex: string | null;
  /** Why the MIME parser rejected the mail; set when only the headers could be read. */
  readonly parseError: string | null;
  /** Attachments dropped for exceeding the cap, for the note on the ticket. */
  readonly omittedAttachments: readonly { readonly filename: string | null; readonly size: number }[];
  /** What was cut or dropped to make the mail storable (long lists, out-of-range dates…), for the ticket's history. */
  readonly adjustments: readonly string[];
  /** Why the HTML body is missing although the mail had one (e.g. sanitising ran out of its time budget). */
  readonly htmlDropped: string | null;
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ticketAttachments, type TicketAttachmentRow } from '../adapters/db/attachment-queries.js';
import type { Db } from '../adapters/db/client.js';
import { attachmentContent } from '../adapters/db/web-queries.js';
import { formatBytes } from '../adapters/http/present.js';
import { contentTypeOf } from '../adapters/mime/content-type.js';
import { safeFilename, uniqueName, withDetectedExtension } from '../domain/attachment-name.js';
import { withDatabase } from './database.js';

/** One file written: the `--json` `saved` entry. */
export interface SavedAttachment {
  readonly messageId: number;
  /** The path written: `--out` joined with the safe name. */
  readonly file: string;
  /** As the mail named it. */
  readonly filename: string | null;
  /** From the bytes (contentTypeOf). */
  readonly contentType: string;
  readonly declaredType: string;
  readonly size: number;
  readonly sha256: string;
}

/** One attachment not written, and why: the `--json` `skipped` entry. */
export interface SkippedAttachment {
  readonly messageId: number;
  readonly filename: string | null;
  readonly size: number;
  readonly reason: string;
}

const OVER_CAP = 'over the size cap when it arrived: only its name and size were kept';

/**
 * `helpdesk attachments N`: writes the stored attachments of ticket N (of one
 * message with `--message`) into `--out`, each under a safe name
 * (safeFilename), `name (2).ext` beside a file already there, never over one
 * and never through a symlink. A name whose extension disagrees with the bytes
 * gets the real one appended (`invoice.pdf.exe`). Exit 1 for an unknown ticket
 * or a message not on it.
 */
export async function runAttachments(ticket: number, opts: { message?: number; out: string; json?: boolean }): Promise<void> {
  await withDatabase(async (db) => {
    const found = await ticketAttachments(db, ticket, opts.message);
    if (!found.found) {
      console.error(found.missing === 'ticket' ? `no ticket #${ticket}` : `message ${opts.message} is not on ticket #${ticket} (see \`helpdesk tickets show ${ticket} --json\`)`);
      process.exitCode = 1;
      return;
    }
    const saved: SavedAttachment[] = [];
    const skipped: SkippedAttachment[] = [];
    const print = (line: string): void => {
      if (!opts.json) console.log(line);
    };
    try {
      await mkdir(opts.out, { recursive: true });
      const taken = new Set(await readdir(opts.out));
      for (const [index, row] of found.rows.entries()) {
        const outcome = await saveAttachment(db, ticket, row, index + 1, opts.out, taken);
        if ('reason' in outcome) {
          skipped.push(outcome);
          print(`skipped "${safeFilename(row.filename, row.contentType, index + 1)}" (${formatBytes(row.size)}) from message ${row.messageId}: ${outcome.reason}`);
        } else {
          saved.push(outcome.saved);
          const notes = outcome.notes.length ? `: ${outcome.notes.join('; ')}` : '';
          print(`saved ${outcome.saved.file} (${outcome.saved.contentType}, ${formatBytes(row.size)}) from message ${row.messageId}${notes}`);
        }
      }
    } catch (err) {
      if (!isFileError(err)) throw err;
      console.error(`cannot write into ${opts.out}: ${err.message}`);
      process.exitCode = 1;
    }
    if (opts.json) console.log(JSON.stringify({ ticket, saved, skipped }, null, 2));
    else console.log(summary(ticket, opts, saved.length, skipped.length));
  });
}

type Outcome = { saved: SavedAttachment; notes: string[] } | SkippedAttachment;

async function saveAttachment(db: Db, ticket: number, row: TicketAttachmentRow, index: number, out: string, taken: Set<string>): Promise<Outcome> {
  const skip = (reason: string): SkippedAttachment => ({ messageId: row.messageId, filename: row.filename, size: row.size, reason });
  if (!row.stored) return skip(OVER_CAP);
  const found = await attachmentContent(db, ticket, row.id);
  if (!found?.kept) return skip('its content is missing from the database');
  if (createHash('sha256').update(found.content).digest('hex') !== row.sha256) return skip('its stored content does not match its sha256');
  const type = await contentTypeOf(found.content, row.contentType, row.filename);
  const safe = safeFilename(row.filename, type.type, index);
  const named = withDetectedExtension(safe, type.extension);
  const notes = [type.mismatch, named === safe ? null : `".${type.extension}" added to the name: the content is ${type.type}`].filter((n): n is string => n !== null);
  const name = await writeNewFile(out, named, found.content, taken);
  return {
    notes,
    saved: {
      messageId: row.messageId,
      file: path.join(out, name),
      filename: row.filename,
      contentType: type.type,
      declaredType: row.contentType,
      size: found.content.length,
      sha256: row.sha256,
    },
  };
}

/**
 * Writes `content` into `dir` under `wanted`, or the first free `wanted (n)`
 * name; the name used. The bytes go to a temporary file first; the name is
 * claimed with O_CREAT|O_EXCL (`wx`: no overwrite, and a symlink there counts
 * as taken, never followed), then the full file is renamed over that claim,
 * so the name never shows a partial file. `taken` gains the name.
 */
async function writeNewFile(dir: string, wanted: string, content: Buffer, taken: Set<string>): Promise<string> {
  const temp = path.join(dir, `.helpdesk-${randomBytes(8).toString('hex')}.part`);
  await writeFile(temp, content, { flag: 'wx' });
  try {
    for (;;) {
      const name = uniqueName(wanted, taken);
      taken.add(name);
      const target = path.join(dir, name);
      try {
        await (await open(target, 'wx')).close();
      } catch (err) {
        if (isFileError(err) && err.code === 'EEXIST') continue;
        throw err;
      }
      try {
        await rename(temp, target);
      } catch (err) {
        await rm(target, { force: true });
        throw err;
      }
      return name;
    }
  } finally {
    await rm(temp, { force: true });
  }
}

function isFileError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

function summary(ticket: number, opts: { message?: number; out: string }, saved: number, skipped: number): string {
  const of = opts.message === undefined ? `ticket #${ticket}` : `message ${opts.message} of ticket #${ticket}`;
  if (saved === 0 && skipped === 0) return `${of} has no attachments`;
  const files = `${saved} ${saved === 1 ? 'file' : 'files'}`;
  return `saved ${files} of ${of} into ${opts.out}${skipped ? `, skipped ${skipped}` : ''}`;
}

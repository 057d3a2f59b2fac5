import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ParsedAttachment, ParsedMail } from '../../usecases/parsed-mail.js';
import { parseLeniently, type ParseOptions, type ParsedStructure } from './parse-mail.js';
import type { ParseTask } from './parse-worker.js';

export interface MailParser {
  /** Parses a mail within the time budget; never throws (see parseMail). */
  parse(raw: Buffer, options: ParseOptions): Promise<ParsedMail>;
  close(): Promise<void>;
}

export type ParseStage = 'structure' | 'sanitise';

export interface ParserPoolSettings {
  /** Time each stage (MIME structure, HTML sanitising) may take; read per mail and stage, so a config reload applies. */
  readonly budgetMs: (stage: ParseStage) => number;
  /** Worker threads; defaults to the machine's cores, at most 4. */
  readonly threads?: number;
}

/** Memory one worker may use before it is stopped (a mail built to exhaust the parser). */
const WORKER_HEAP_MB = 1024;

/**
 * Parses mail in worker threads, so that no mail can stall the daemon's event
 * loop (IMAP IDLE, sending, lease renewals go on meanwhile). Each stage has a
 * time budget: a worker over it is terminated and replaced. A mail whose
 * structure is not read in time is read leniently (headers, body as text, a
 * parse error noted); one whose HTML is not sanitised in time is kept without
 * HTML, with the reason.
 */
export function createParserPool(settings: ParserPoolSettings): MailParser {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const threads = settings.threads ?? Math.min(4, Math.max(1, availableParallelism()));
  const pool = new Piscina<ParseTask, ParsedStructure | string>({
    filename: new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', import.meta.url).href,
    // Run from source (tests, benchmarks) the worker needs the same TypeScript loader as we do.
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });

  const run = (task: ParseTask, budget: number) => pool.run(task, { signal: AbortSignal.timeout(budget) });

  return {
    async parse(raw, options) {
      let budget = settings.budgetMs('structure');
      let structure: ParsedStructure;
      try {
        structure = rehydrate((await run({ op: 'parse', raw, options }, budget)) as ParsedStructure);
      } catch (err) {
        return parseLeniently(raw, stageFailure('reading the MIME structure', err, budget));
      }
      if (structure.unsafeHtml === null) return structure.mail;
      budget = settings.budgetMs('sanitise');
      try {
        return { ...structure.mail, html: (await run({ op: 'sanitise', html: structure.unsafeHtml }, budget)) as string };
      } catch (err) {
        return { ...structure.mail, html: null, htmlDropped: `${stageFailure('sanitising the HTML', err, budget)}: kept the text part only` };
      }
    },
    async close() {
      await pool.destroy();
    },
  };
}

function stageFailure(stage: string, err: unknown, budget: number): string {
  if ((err as Error | null)?.name === 'AbortError') return `${stage} took longer than its budget of ${budget / 1000}s`;
  const code = (err as { code?: unknown } | null)?.code;
  return `${stage} failed in its worker${typeof code === 'string' ? ` (${code})` : ''}`;
}

/** Buffers come back from a worker as plain Uint8Arrays. */
function rehydrate(structure: ParsedStructure): ParsedStructure {
  const buffer = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  const attachments: ParsedAttachment[] = structure.mail.attachments.map((a) => ({ ...a, content: a.content === null ? null : buffer(a.content) }));
  return { ...structure, mail: { ...structure.mail, attachments } };
}

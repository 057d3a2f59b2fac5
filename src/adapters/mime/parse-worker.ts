import { parseStructure, sanitiseHtml, type ParseOptions, type ParsedStructure } from './parse-mail.js';

/** What the parser pool asks of a worker thread. */
export type ParseTask = { readonly op: 'parse'; readonly raw: Uint8Array; readonly options: ParseOptions } | { readonly op: 'sanitise'; readonly html: string };

/** A worker thread's entry point (piscina): one stage of parsing, off the daemon's event loop. */
export default async function runParseTask(task: ParseTask): Promise<ParsedStructure | string> {
  if (task.op === 'sanitise') return sanitiseHtml(task.html);
  return parseStructure(Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength), task.options);
}

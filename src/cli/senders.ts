import { access } from 'node:fs/promises';
import { blockSender, listBlockedSenders, unblockSender, type BlockedSender } from '../adapters/db/sender-store.js';
import type { Config } from '../config/schema.js';
import { senderPatternProblem } from '../domain/sender-list.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { withDatabase } from './database.js';

/** One blocked pattern as `senders list --json` prints it; the config's have no reason, author or time. */
export interface ListedBlock {
  readonly pattern: string;
  readonly reason: string | null;
  readonly addedBy: string | null;
  readonly createdAt: string | null;
  readonly source: 'database' | 'config';
}

export interface ListedSenders {
  readonly blocked: readonly ListedBlock[];
  readonly allowed: readonly { readonly pattern: string; readonly source: 'config' }[];
}

interface ConfigSenders {
  readonly file: string;
  readonly block: readonly string[];
  readonly allow: readonly string[];
}

/**
 * The config's senders lists, or null when there is no config file (the
 * database's list is the whole story then). A file that is there but invalid
 * throws CONFIG_INVALID, like every command reading it.
 */
async function configSenders(configOption: string | undefined): Promise<ConfigSenders | null> {
  const environment = readEnvironment(configOption);
  try {
    await access(environment.configFile);
  } catch {
    return null;
  }
  const config: Config = await loadConfigOrThrow(environment);
  return { file: environment.configFile, block: config.senders?.block ?? [], allow: config.senders?.allow ?? [] };
}

function listed(rows: readonly BlockedSender[], config: ConfigSenders | null): ListedSenders {
  return {
    blocked: [
      ...rows.map((r) => ({ pattern: r.pattern, reason: r.reason, addedBy: r.addedBy, createdAt: r.createdAt.toISOString(), source: 'database' as const })),
      ...(config?.block ?? []).map((pattern) => ({ pattern, reason: null, addedBy: null, createdAt: null, source: 'config' as const })),
    ],
    allowed: (config?.allow ?? []).map((pattern) => ({ pattern, source: 'config' as const })),
  };
}

function formatListed(list: ListedSenders, configFile: string | null): string {
  const rows = list.blocked.map((b) => [b.pattern, b.source, b.addedBy ?? '-', b.createdAt ? b.createdAt.slice(0, 16).replace('T', ' ') : '-', b.reason || '-']);
  const header = ['PATTERN', 'SOURCE', 'ADDED BY', 'ADDED (UTC)', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = rows.length ? [line(header), ...rows.map(line)] : ['no blocked senders'];
  if (list.allowed.length) out.push('', `allowed whatever blocks them (senders.allow in ${configFile}):`, ...list.allowed.map((a) => `  ${a.pattern}`));
  return out.join('\n');
}

/** `helpdesk senders list`: the database's entries, then the config's (when there is a config file). */
export async function runSendersList(opts: { json?: boolean; config?: string }): Promise<void> {
  const config = await configSenders(opts.config);
  if (!config) console.error(`no config file ${readEnvironment(opts.config).configFile}: listing the database's entries only`);
  await withDatabase(async (db) => {
    const list = listed(await listBlockedSenders(db), config);
    console.log(opts.json ? JSON.stringify(list, null, 2) : formatListed(list, config?.file ?? null));
  });
}

/** `helpdesk senders block PATTERN`: added to the database's list (lower case) by "cli"; a running daemon sees it within 10 s. */
export async function runSendersBlock(pattern: string, opts: { reason?: string }): Promise<void> {
  const problem = senderPatternProblem(pattern);
  if (problem !== null) {
    console.error(`not a sender pattern: "${pattern}" ${problem}`);
    process.exitCode = 1;
    return;
  }
  const normalised = pattern.toLowerCase();
  await withDatabase(async (db) => {
    const added = await blockSender(db, { pattern: normalised, reason: opts.reason ?? '', addedBy: 'cli' });
    console.log(added ? `blocked ${normalised}` : `${normalised} was already blocked`);
  });
}

/** `helpdesk senders unblock PATTERN`: removed from the database's list; exit 1 when it was not there. The config's list is the config's to change. */
export async function runSendersUnblock(pattern: string): Promise<void> {
  const normalised = pattern.toLowerCase();
  let removed = false;
  await withDatabase(async (db) => {
    removed = await unblockSender(db, normalised);
  });
  if (removed) console.log(`unblocked ${normalised}`);
  else console.error(`${normalised} is not in the database's list of blocked senders (see helpdesk senders list)`);
  await tellIfConfigBlocks(normalised);
  if (!removed) process.exitCode = 1;
}

/** Unblocking in the database does not touch the config: says so when the config blocks the pattern too. */
async function tellIfConfigBlocks(pattern: string): Promise<void> {
  try {
    const config = await configSenders(undefined);
    if (config?.block.some((p) => p.toLowerCase() === pattern)) {
      console.error(`${pattern} is also in senders.block of ${config.file}: remove it there (the daemon reloads its config on change)`);
    }
  } catch (err) {
    console.error(`could not read the config to check its senders.block: ${err instanceof Error ? err.message : String(err)}`);
  }
}

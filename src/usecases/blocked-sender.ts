import { blockedBy, compileSenderList, matchSender, type SenderList } from '../domain/sender-list.js';
import type { Config } from '../config/schema.js';
import type { IngestDeps } from './inbound.js';

/** Which list blocked a sender, and by which pattern. */
export interface BlockedSender {
  readonly pattern: string;
  readonly source: 'config' | 'database';
}

const configLists = new WeakMap<Config, { block: SenderList; allow: SenderList }>();
const databaseLists = new WeakMap<readonly string[], SenderList>();

/**
 * Whether a sender is blocked: by the config's `senders.block` or the
 * database's list (`#spam block`, `helpdesk senders block`), unless the
 * config's `senders.allow` names them. Each list is compiled once (one RE2
 * run per list and mail, whatever its length).
 */
export async function blockedSender(deps: Pick<IngestDeps, 'config' | 'regex' | 'blockedSenders'>, address: string | null): Promise<BlockedSender | null> {
  if (!address) return null;
  const config = deps.config();
  let lists = configLists.get(config);
  if (!lists) {
    lists = { block: compileSenderList(config.senders.block), allow: compileSenderList(config.senders.allow) };
    configLists.set(config, lists);
  }
  if (matchSender(lists.allow, address, deps.regex) !== null) return null;
  const fromConfig = blockedBy(lists, address, deps.regex);
  if (fromConfig) return { pattern: fromConfig, source: 'config' };
  const patterns = await deps.blockedSenders.patterns();
  if (patterns.length === 0) return null;
  let list = databaseLists.get(patterns);
  if (!list) {
    list = compileSenderList(patterns);
    databaseLists.set(patterns, list);
  }
  const fromDatabase = matchSender(list, address, deps.regex);
  return fromDatabase ? { pattern: fromDatabase, source: 'database' } : null;
}

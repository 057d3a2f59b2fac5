import type { Config } from './schema.js';

/** What a reload changed, for the log line that says so. */
export interface ConfigChanges {
  readonly rulesAdded: string[];
  readonly rulesRemoved: string[];
  readonly rulesChanged: string[];
  readonly slaChanged: boolean;
  readonly templatesChanged: string[];
  readonly agentsChanged: boolean;
  /** Connection settings only take effect after a restart. */
  readonly mailboxesChanged: string[];
  readonly otherKeysChanged: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function diffConfig(before: Config, after: Config): ConfigChanges {
  const oldRules = new Map(before.rules.map((r) => [r.name, r]));
  const newRules = new Map(after.rules.map((r) => [r.name, r]));
  const templates = new Set([...Object.keys(before.templates), ...Object.keys(after.templates)]);
  const mailboxes = new Set([...before.mailboxes, ...after.mailboxes].map((m) => m.name));
  const handled = new Set(['rules', 'sla', 'templates', 'agents', 'mailboxes']);
  return {
    rulesAdded: [...newRules.keys()].filter((n) => !oldRules.has(n)),
    rulesRemoved: [...oldRules.keys()].filter((n) => !newRules.has(n)),
    rulesChanged: [...newRules.keys()].filter((n) => oldRules.has(n) && !same(oldRules.get(n), newRules.get(n))),
    slaChanged: !same(before.sla, after.sla),
    templatesChanged: [...templates].filter((t) => !same(before.templates[t], after.templates[t])),
    agentsChanged: !same(before.agents, after.agents),
    mailboxesChanged: [...mailboxes].filter(
      (name) => !same(before.mailboxes.find((m) => m.name === name), after.mailboxes.find((m) => m.name === name)),
    ),
    otherKeysChanged: (Object.keys(after) as (keyof Config)[]).filter((k) => !handled.has(k) && !same(before[k], after[k])),
  };
}

export function isUnchanged(c: ConfigChanges): boolean {
  return (
    c.rulesAdded.length + c.rulesRemoved.length + c.rulesChanged.length + c.templatesChanged.length + c.mailboxesChanged.length + c.otherKeysChanged.length === 0 &&
    !c.slaChanged &&
    !c.agentsChanged
  );
}

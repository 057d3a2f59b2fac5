import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath, sep } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { referenceProblems, resolveTemplates } from './resolve-templates.js';
import { ruleSchema } from './rules.js';
import { configSchema, type Config } from './schema.js';
import { templateSchema } from './templates.js';

/** One problem in a config file, located for a human. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted key path, e.g. `mailboxes[0].imap.port`. */
  readonly key: string;
  readonly message: string;
}

export type LoadResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** `file:line:column key: problem`, the format every tool prints. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.key || '(top level)'}: ${p.message}`;
}

const SECRET_KEYS = new Set(['password', 'token', 'secret']);
/** `password`, `token`, `secret`, and keys ending in them (`clientSecret`, `refreshToken`) — not `tokenUrl`. */
const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key) || /[a-z0-9](Password|Secret|Token)$/.test(key);
/**
 * Where `${VAR}` is read: connection settings and secrets. Anywhere else (a
 * template, a rule) the value could end up in mail — `{{…}}` in a template
 * printing HELPDESK_TOKEN_KEY — so a reference there is a problem.
 */
const ENV_ALLOWED_UNDER = /^(mailboxes\[\d+\]\.(imap|smtp)\.|http\.)/;
const ENV_NOT_HERE =
  '${VARIABLE} is read only in connection settings and secrets (mailboxes[].imap, mailboxes[].smtp, http, and password/token/secret keys): a value here could be mailed';
const ENV_REF_IN_TEXT = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/**
 * `${VAR}` is not valid YAML inside a flow mapping (`{ password: ${X} }`), yet
 * that is how the README and the example config write it. Before parsing, each reference is rewritten
 * to `$⁅VAR⁆` — same length, so every line and column stays true — and the
 * scalar visitor substitutes it.
 */
const ENV_REF = /\$⁅([A-Za-z_][A-Za-z0-9_]*)⁆/g;
const ONLY_ENV_REF = /^\$⁅[A-Za-z_][A-Za-z0-9_]*⁆$/;

/**
 * Parses and validates a config file's text. Pure: a function of the text and
 * the environment. Reports every problem at once, each with line, column and key.
 * `${VAR}` in a value is replaced from `env`; secrets must be written that way.
 */
export function parseConfig(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readInside(dirname(file), path),
): LoadResult {
  const lines = new LineCounter();
  const marked = text.replace(ENV_REF_IN_TEXT, '$$⁅$1⁆');
  const doc = parseDocument(marked, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, key: string, message: string): ConfigProblem => {
    const pos = lines.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col, key, message };
  };

  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => at(e.pos[0], '', e.message.split('\n')[0] ?? e.message)) };
  }
  const problems = substituteEnvironment(doc, env, at);
  const data = plainData(doc, at);
  if (!data.ok) return { ok: false, problems: [data.problem] };
  const parsed = configSchema.safeParse(data.value ?? {});
  const report = (path: readonly PropertyKey[], message: string) => problems.push(at(locate(doc, path)?.range?.[0], keyPathText(path), message));
  if (parsed.success) {
    // Template problems are reported with a wrong ${VAR} elsewhere, not after it is fixed.
    const resolved = resolveTemplates(parsed.data, readFile, report);
    if (problems.length === 0) return { ok: true, config: deepFreeze(resolved) };
  } else {
    problems.push(...schemaProblems(doc, parsed.error, problems, at));
    const seen = new Set(problems.map((p) => p.key));
    const once = (path: readonly PropertyKey[], message: string) => {
      const key = keyPathText(path);
      if (seen.has(key) || problems.some((p) => p.key === key && p.message === message)) return;
      report(path, message);
    };
    referenceProblems(data.value, (path, message) => {
      once(path, message);
      seen.add(keyPathText(path));
    });
    templateProblems(data.value, readFile, once);
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/** The schema's issues, located, one per key (the first says it best) and none where `earlier` already has one. */
function schemaProblems(doc: Document, error: z.ZodError, earlier: readonly ConfigProblem[], at: Locate): ConfigProblem[] {
  const seen = new Set(earlier.map((p) => p.key));
  // An object with a misspelt key also fails its "give at least one of…" check: the typo is the problem.
  const misspelt = new Set(error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => keyPathText(i.path as PropertyKey[])));
  const issues = error.issues.filter((i) => !(i.code === 'custom' && misspelt.has(keyPathText(i.path as PropertyKey[]))));
  const problems: ConfigProblem[] = [];
  for (const problem of issues.flatMap((issue) => locateIssue(doc, issue, at))) {
    if (seen.has(problem.key)) continue;
    seen.add(problem.key);
    problems.push(problem);
  }
  return problems;
}

/**
 * The checks of `resolveTemplates` (placeholders, template files, rule
 * references) when the file as a whole fails validation: on each template and
 * each rule that is valid on its own, so a mistake there is reported in the
 * same pass as a schema mistake elsewhere.
 */
function templateProblems(raw: unknown, readFile: (path: string) => string, report: (path: readonly PropertyKey[], message: string) => void): void {
  const root = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const validTemplates = (given: unknown) =>
    Object.fromEntries(
      Object.entries(typeof given === 'object' && given !== null ? given : {}).flatMap(([name, template]) => {
        const valid = templateSchema.safeParse(template);
        return valid.success ? [[name, valid.data]] : [];
      }),
    );
  const mailboxes = (Array.isArray(root.mailboxes) ? root.mailboxes : []).map((m: { templates?: unknown } | null) => ({ templates: validTemplates(m?.templates) }));
  const agents = configSchema.shape.agents.safeParse(root.agents);
  const base = { templates: validTemplates(root.templates), mailboxes, agents: agents.success ? agents.data : [], rules: [] } as unknown as z.output<typeof configSchema>;
  resolveTemplates(base, readFile, report);
  (Array.isArray(root.rules) ? root.rules : []).forEach((rule: unknown, index) => {
    const valid = ruleSchema.safeParse(rule);
    if (!valid.success) return;
    // One rule at a time, its problems moved to its own index.
    resolveTemplates({ ...base, rules: [valid.data] }, readFile, (path, message) =>
      report(path[0] === 'rules' ? ['rules', index, ...path.slice(2)] : path, message),
    );
  });
}

/** Aliases a config may use; beyond this a file is a resource-exhaustion attack ("billion laughs"), not a config. */
const MAX_ALIASES = 100;

/** The document as plain data, or a located problem when its aliases expand beyond reason. */
function plainData(doc: Document, at: Locate): { ok: true; value: unknown } | { ok: false; problem: ConfigProblem } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (err) {
    let first: number | undefined;
    visit(doc, {
      Alias(_, node) {
        first ??= node.range?.[0];
        return visit.BREAK;
      },
    });
    return { ok: false, problem: at(first, '', `${(err as Error).message.split('\n')[0]} (at most ${MAX_ALIASES} aliases are expanded)`) };
  }
}

/**
 * Reads a template file, which must lie inside the config file's folder:
 * a config that could name `/proc/self/environ` or `../secrets` could mail them.
 * Symbolic links are followed before the check.
 */
function readInside(folder: string, path: string): string {
  const root = realpathSync(folder);
  const target = realpathSync(resolvePath(folder, path));
  if (target !== root && !target.startsWith(`${root}${sep}`)) {
    throw Object.assign(new Error(`${path} is outside the config file's folder`), { code: 'OUTSIDE_CONFIG_FOLDER' });
  }
  return readFileSync(target, 'utf8');
}

/** The nearest existing node on a key path (for a problem found after validation). */
function locate(doc: Document, path: readonly PropertyKey[]): Node | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub as unknown[], true)) as Node | null | undefined;
    if (node && node.range) return node;
  }
  return null;
}

/** Reads and validates a config file; a missing or unreadable file is a located problem too. */
export async function loadConfigFile(file: string, env: Readonly<Record<string, string | undefined>>): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `file not found: ${resolvePath(file)}` : (err as Error).message;
    const message = `cannot read config: ${reason} (name another with --config FILE or HELPDESK_CONFIG)`;
    return { ok: false, problems: [{ file, line: 1, column: 1, key: '', message }] };
  }
  return parseConfig(text, file, env);
}

type Locate = (offset: number | undefined, key: string, message: string) => ConfigProblem;

function substituteEnvironment(doc: Document, env: Readonly<Record<string, string | undefined>>, at: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Scalar(role, node, path) {
      if (role !== 'value' && typeof role !== 'number') return;
      const keyPath = pathOf(path, role === 'value' ? undefined : role);
      const keyName = keyPath.split('.').at(-1) ?? '';

      const raw = node.value;
      if (isSecretKey(keyName) && raw !== null && raw !== '' && !(typeof raw === 'string' && ONLY_ENV_REF.test(raw))) {
        problems.push(at(node.range?.[0], keyPath, 'secrets must come from the environment: write ${VARIABLE_NAME}'));
        return;
      }
      if (typeof raw !== 'string' || !raw.includes('$⁅')) return;
      if (!isSecretKey(keyName) && !ENV_ALLOWED_UNDER.test(keyPath)) {
        problems.push(at(node.range?.[0], keyPath, ENV_NOT_HERE));
        return;
      }
      node.value = raw.replace(ENV_REF, (_, name: string) => {
        const value = env[name];
        if (value === undefined) problems.push(at(node.range?.[0], keyPath, `environment variable ${name} is not set`));
        return value ?? '';
      });
    },
  });
  return problems;
}

/** The dotted key path of a node from the visitor's ancestor list (`mailboxes[0].imap.password`). */
function pathOf(ancestors: readonly unknown[], index?: number): string {
  const parts: PropertyKey[] = [];
  ancestors.forEach((item, i) => {
    if (isPair(item) && isScalar(item.key)) parts.push(String(item.key.value));
    else if (isSeq(item) && i + 1 < ancestors.length) parts.push(item.items.indexOf(ancestors[i + 1] as never));
  });
  if (index !== undefined) parts.push(index);
  return keyPathText(parts);
}

function keyPathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

function locateIssue(doc: Document, issue: z.core.$ZodIssue, at: Locate): ConfigProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'invalid_key') {
    // A record key that fails its own check: its message says what a key must look like.
    const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message;
    const keyNode = findKeyNode(doc, path.slice(0, -1), String(path.at(-1)));
    return [at(keyNode?.range?.[0], keyPathText(path), inner)];
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const node = doc.getIn([...path, key] as unknown[], true) as Node | undefined;
      const keyNode = findKeyNode(doc, path, key);
      return at((keyNode ?? node)?.range?.[0], keyPathText([...path, key]), 'unknown key (check the spelling)');
    });
  }
  // Walk up to the nearest node that exists, for a missing key.
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub as unknown[], true)) as Node | null | undefined;
    if (node && node.range) {
      const missing = depth < path.length && issue.code === 'invalid_type';
      return [at(node.range[0], keyPathText(path), missing ? 'is required' : issue.message)];
    }
  }
  return [at(0, keyPathText(path), issue.code === 'invalid_type' ? 'is required' : issue.message)];
}

function findKeyNode(doc: Document, path: PropertyKey[], key: string): Node | undefined {
  const parent = (path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true)) as unknown;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

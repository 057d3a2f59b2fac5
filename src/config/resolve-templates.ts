import { isAbsolute, normalize } from 'node:path';
import type { z } from 'zod';
import { findAgent } from '../domain/agents.js';
import type { Rule } from '../domain/rules.js';
import type { configSchema, Config } from './schema.js';
import { placeholderProblems, REPLY_PLACEHOLDERS, RULE_PLACEHOLDERS, TEMPLATE_KINDS, type MailTemplate, type TemplateInput, type TemplateKind } from './templates.js';

type Parsed = z.output<typeof configSchema>;
type Report = (path: readonly PropertyKey[], message: string) => void;

const ROUTING = new Set(['round-robin', 'least-open']);

/**
 * Turns the parsed config into the final one: template files read, built-in
 * kinds filled with defaults, unknown placeholders reported, every template a
 * rule uses registered by name (inline ones as `rule:<n>:reply|notify`), and
 * every name a rule refers to (template, agent) checked.
 */
export function resolveTemplates(parsed: Parsed, readFile: (path: string) => string, report: Report): Config {
  const templates: Record<string, MailTemplate> = {};
  const read = (input: TemplateInput, path: readonly PropertyKey[]): Partial<MailTemplate> => {
    const load = (file: string, key: string) => {
      if (isAbsolute(file) || normalize(file).split(/[\\/]/)[0] === '..') {
        report([...path, key], `template file ${file} is outside the config file's folder: write a path inside it (relative to the config file)`);
        return '';
      }
      try {
        return readFile(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'OUTSIDE_CONFIG_FOLDER' ? "it leads outside the config file's folder (a symbolic link?)" : (code ?? (err as Error).message);
        report([...path, key], `cannot read template file ${file}: ${why}`);
        return '';
      }
    };
    return {
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      text: input.file !== undefined ? load(input.file, 'file') : input.text,
      ...(input.htmlFile !== undefined ? { html: load(input.htmlFile, 'htmlFile') } : input.html !== undefined ? { html: input.html } : {}),
    };
  };
  /** Each part checked on its own, so a problem points at the text that holds it. */
  const check = (template: Partial<MailTemplate>, allowed: readonly string[], path: readonly PropertyKey[], given?: TemplateInput) => {
    const reported = new Set<string>();
    for (const part of ['subject', 'text', 'html'] as const) {
      const key = part === 'text' && given?.file !== undefined ? 'file' : part === 'html' && given?.htmlFile !== undefined ? 'htmlFile' : part;
      for (const problem of placeholderProblems({ [part]: template[part] }, allowed)) {
        if (reported.has(problem)) continue; // each unknown placeholder once, where it first appears
        reported.add(problem);
        report(given?.[key as keyof TemplateInput] !== undefined ? [...path, key] : path, problem);
      }
    }
  };

  /** The templates a config gives (top level, or a mailbox's): the built-in kinds' missing parts from the English built-ins. */
  const resolveAll = (given: Parsed['templates'], path: readonly PropertyKey[]): Record<string, MailTemplate> => {
    const resolved: Record<string, MailTemplate> = {};
    for (const [name, input] of Object.entries(given)) {
      const part = read(input, [...path, name]);
      const spec = name in TEMPLATE_KINDS ? TEMPLATE_KINDS[name as TemplateKind] : null;
      const html = part.html ?? spec?.html;
      const template = { subject: part.subject ?? spec?.subject ?? 'Re: {{ticket.subject}}', text: part.text ?? spec?.text ?? '', ...(html ? { html } : {}) };
      check(template, spec?.placeholders ?? RULE_PLACEHOLDERS, [...path, name], input);
      resolved[name] = template;
    }
    return resolved;
  };
  Object.assign(templates, resolveAll(parsed.templates, ['templates']));
  const mailboxes = parsed.mailboxes.map((mailbox, index) => ({ ...mailbox, templates: resolveAll(mailbox.templates, ['mailboxes', index, 'templates']) }));
  /** A template by name as rules see it: the config's, else a built-in kind's (English). */
  const named = (name: string): MailTemplate | undefined => templates[name] ?? (name in TEMPLATE_KINDS ? TEMPLATE_KINDS[name as TemplateKind] : undefined);

  const rules = parsed.rules.map((rule, index) => {
    const then = { ...rule.then };
    const register = (ref: string | TemplateInput, slot: 'reply' | 'notify', path: readonly PropertyKey[]): string => {
      if (typeof ref === 'string') {
        const template = named(ref);
        if (!template) report(path, `no template named "${ref}" under templates:`);
        else if (slot === 'reply') {
          for (const problem of placeholderProblems(template, REPLY_PLACEHOLDERS)) report(path, `template "${ref}" cannot be a reply: ${problem}`);
        }
        return ref;
      }
      const name = `rule:${index}:${slot}`;
      const part = read(ref, path);
      const template = { subject: part.subject ?? 'Re: {{ticket.subject}}', text: part.text ?? '', ...(part.html ? { html: part.html } : {}) };
      check(template, slot === 'reply' ? REPLY_PLACEHOLDERS : RULE_PLACEHOLDERS, path, ref);
      templates[name] = template;
      return name;
    };
    if (then.reply !== undefined) then.reply = register(then.reply, 'reply', ['rules', index, 'then', 'reply']);
    if (then.notify !== undefined) then.notify = { ...then.notify, template: register(then.notify.template, 'notify', ['rules', index, 'then', 'notify', 'template']) };
    if (then.assign !== undefined && !ROUTING.has(then.assign) && !findAgent(parsed.agents, then.assign)) {
      report(['rules', index, 'then', 'assign'], `no agent "${then.assign}": name a configured agent (name or email), round-robin or least-open`);
    }
    return { ...rule, then } as Rule;
  });
  const names = new Map<string, number>();
  parsed.rules.forEach((rule, index) => {
    if (names.has(rule.name)) report(['rules', index, 'name'], `duplicate rule name "${rule.name}"`);
    names.set(rule.name, index);
  });
  return { ...parsed, mailboxes, rules, templates };
}

/**
 * The name checks of `resolveTemplates` on the raw file, for when the shape
 * itself has problems: an unknown agent or template in one rule is reported
 * together with a schema mistake in another.
 */
export function referenceProblems(raw: unknown, report: Report): void {
  const root = (raw ?? {}) as { agents?: unknown; templates?: unknown; rules?: unknown };
  const agents = (Array.isArray(root.agents) ? root.agents : [])
    .filter((a: { name?: unknown; email?: unknown }) => typeof a?.name === 'string' && typeof a?.email === 'string')
    .map((a: { name: string; email: string }) => ({ name: a.name, email: a.email, departments: [] }));
  const templates = new Set([...Object.keys(TEMPLATE_KINDS), ...Object.keys(typeof root.templates === 'object' && root.templates ? root.templates : {})]);
  (Array.isArray(root.rules) ? root.rules : []).forEach((rule: { then?: { assign?: unknown; reply?: unknown; notify?: { template?: unknown } } }, index: number) => {
    const then = rule?.then ?? {};
    if (typeof then.assign === 'string' && !ROUTING.has(then.assign) && !findAgent(agents, then.assign)) {
      report(['rules', index, 'then', 'assign'], `no agent "${then.assign}": name a configured agent (name or email), round-robin or least-open`);
    }
    if (typeof then.reply === 'string' && !templates.has(then.reply)) report(['rules', index, 'then', 'reply'], `no template named "${then.reply}" under templates:`);
    const notify = then.notify?.template;
    if (typeof notify === 'string' && !templates.has(notify)) report(['rules', index, 'then', 'notify', 'template'], `no template named "${notify}" under templates:`);
  });
}

/**
 * A logic-less template: `{{ ticket.number }}` placeholders, nothing else —
 * no code runs from the config. Unknown placeholders are an error at load time.
 */

const PLACEHOLDER = /\{\{\s*([a-zA-Z][\w.]*)\s*\}\}/g;

export type TemplateVars = Readonly<Record<string, string | number | null | undefined>>;

/** The placeholder names a template uses, in order of appearance. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Placeholders not in `allowed`, for config validation. */
export function unknownPlaceholders(template: string, allowed: readonly string[]): string[] {
  return templatePlaceholders(template).filter((name) => !allowed.includes(name));
}

/** Fills a template; a placeholder with no value renders as the empty string. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    // Own keys only: `{{ constructor }}` must not reach Object.prototype.
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value === null || value === undefined ? '' : String(value);
  });
}

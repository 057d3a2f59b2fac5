import { RE2JS } from 're2js';
import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../domain/ticket.js';
import { templateSchema } from './templates.js';

const priority = z.enum(PRIORITIES);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/**
 * A rule's regular expression: RE2 syntax, so matching time is linear in the
 * text — a pattern that could backtrack catastrophically (backreferences,
 * lookaround) cannot even be written. Checked at load.
 */
export const safeRegex = z.string().superRefine((pattern, ctx) => {
  try {
    RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a safe regular expression (RE2 syntax, no backreferences or lookaround): ${(err as Error).message}` });
  }
});

const textMatch = z
  .strictObject({ contains: z.string().min(1).optional(), matches: safeRegex.optional() })
  .refine((m) => m.contains !== undefined || m.matches !== undefined, { message: 'give contains or matches' });

const addressMatch = z
  .strictObject({
    address: oneOrMany(z.string().min(3)).optional(),
    domain: oneOrMany(z.string().min(1)).optional(),
    glob: oneOrMany(z.string().min(1)).optional(),
  })
  .refine((m) => m.address !== undefined || m.domain !== undefined || m.glob !== undefined, { message: 'give address, domain or glob' });

const headerMatch = z.strictObject({
  name: z.string().min(1),
  exists: z.boolean().optional(),
  contains: z.string().min(1).optional(),
  matches: safeRegex.optional(),
});

export interface ConditionInput {
  all?: ConditionInput[];
  any?: ConditionInput[];
  not?: ConditionInput;
  [key: string]: unknown;
}

export const conditionSchema: z.ZodType<ConditionInput> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(conditionSchema).min(1).optional(),
      any: z.array(conditionSchema).min(1).optional(),
      not: conditionSchema.optional(),
      from: addressMatch.optional(),
      to: addressMatch.optional(),
      cc: addressMatch.optional(),
      subject: textMatch.optional(),
      body: textMatch.optional(),
      header: headerMatch.optional(),
      mailbox: oneOrMany(z.string().min(1)).optional(),
      department: oneOrMany(z.string().min(1)).optional(),
      hasAttachment: z.boolean().optional(),
      isNewTicket: z.boolean().optional(),
      isCustomerReply: z.boolean().optional(),
      withinBusinessHours: z.boolean().optional(),
      priority: z
        .strictObject({ is: oneOrMany(priority).optional(), isNot: oneOrMany(priority).optional() })
        .refine((p) => p.is !== undefined || p.isNot !== undefined, { message: 'give is or isNot' })
        .optional(),
    })
    .refine((c) => Object.keys(c).length > 0, { message: 'an empty condition: give at least one key' }),
);

const tag = z.string().regex(/^[\p{L}\p{N}_.-]{1,50}$/u, 'a tag is one word of letters, digits, - _ .');

/** A template by name (`templates:`) or in place. */
export const templateRef = z.union([z.string().min(1), templateSchema]);

const notifyTarget = z.union([z.enum(['assignee', 'department']), z.email({ message: 'use assignee, department or an email address' })]);

export const actionsSchema = z
  .strictObject({
    priority: priority.optional(),
    department: z.string().min(1).optional(),
    assign: z.string().min(1).optional(),
    tags: z.union([z.array(tag), z.strictObject({ add: z.array(tag).optional(), remove: z.array(tag).optional() })]).optional(),
    status: z.enum(TICKET_STATUSES).optional(),
    autoAcknowledge: z.boolean().optional(),
    reply: templateRef.optional(),
    notify: z.strictObject({ to: z.array(notifyTarget).min(1), template: templateRef }).optional(),
    stop: z.boolean().optional(),
  })
  .refine((a) => Object.keys(a).length > 0, { message: 'a rule without actions: give at least one' });

export const ruleSchema = z.strictObject({
  name: z.string().min(1),
  on: z.array(z.enum(['new', 'customerReply'])).min(1).optional(),
  when: conditionSchema,
  then: actionsSchema,
});

import type * as z from 'zod';
import { HindsightError } from '../common/errors.js';
import { API_INPUTS, type ApiMethod, type ApiRequest } from '../contract.js';

/** How a caller names an input field in messages: `--limit` on the command line, `limit` elsewhere. */
export type FieldNamer = (path: ReadonlyArray<PropertyKey>) => string;

export const plainNames: FieldNamer = (path) => (path.length ? path.filter((p) => typeof p !== 'number').join('.') : 'the input');

/**
 * The one place an API input is checked: parsed with the contract's schema, and when it is
 * refused, one sentence for people ("--limit must be between 1 and 100 (got 150)") — never a
 * schema dump. Every adapter (CLI, IPC, HTTP) comes through here.
 */
export function parseInput<M extends ApiMethod>(method: M, input: unknown, name: FieldNamer = plainNames): ApiRequest<M> {
  const schema = API_INPUTS[method] as unknown as z.ZodType;
  const parsed = schema.safeParse(input ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data as ApiRequest<M>;
  const issue = parsed.error.issues[0];
  throw new HindsightError('invalid-input', issue ? describeIssue(schema, issue, name) : `Invalid input for ${method}.`);
}

/** Whether a method name is one of the contract's (own keys only: "__proto__" is not a method). */
export function isMethod(name: string): name is ApiMethod {
  return Object.hasOwn(API_INPUTS, name);
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, name: FieldNamer): string {
  const field = name(issue.path);
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${shown(issue.input)})` : '';
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      const { min, max, integer } = boundsOf(schema, issue.path);
      if (min !== undefined && max !== undefined && issue.origin === 'number') return `${field} must be between ${min} and ${max}${got}.`;
      // An exclusive bound on a whole number reads better as the inclusive one ("at least 1", not "more than 0").
      const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      const inclusive = issue.inclusive !== false;
      const shownBound = inclusive ? bound : integer ? bound + (issue.code === 'too_big' ? -1 : 1) : bound;
      const relation = issue.code === 'too_big' ? (inclusive || integer ? 'at most' : 'less than') : inclusive || integer ? 'at least' : 'more than';
      // "at least 1 items" is neither English nor helpful: an empty text or list is just empty.
      if ((issue.origin === 'string' || issue.origin === 'array') && issue.code === 'too_small' && bound === 1) return `${field} must not be empty.`;
      const one = shownBound === 1;
      const what = issue.origin === 'string' ? (one ? ' character long' : ' characters long') : issue.origin === 'array' ? (one ? ' item' : ' items') : '';
      return `${field} must be ${relation} ${shownBound}${what}${got}.`;
    }
    case 'invalid_type':
      if (issue.expected === 'int') return `${field} must be a whole number${got}.`;
      if ('input' in issue && issue.input === undefined) return `${field} is required.`;
      return `${field} must be ${article(issue.expected)}${got}.`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => String(v)).join(', ')}${got}.`;
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => name([...issue.path, k])).join(', ')} ${issue.keys.length === 1 ? 'is' : 'are'} not an option here.`;
    case 'custom': {
      // Refinements may name the fields they are about (`params.oneOf`), so that each caller's names show.
      const oneOf = (issue.params as { oneOf?: string[] } | undefined)?.oneOf;
      if (oneOf?.length) return `Give exactly one of ${listOr(oneOf.map((f) => name([...issue.path, f])))}.`;
      return issue.message.startsWith('must ') ? `${field} ${issue.message}${got}.` : `${field}: ${issue.message}${got}.`;
    }
    default:
      return `${field}: ${issue.message}${got}.`;
  }
}

/** The bounds a number field declares (inclusive), for "between a and b" messages. */
function boundsOf(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): { min?: number; max?: number; integer?: boolean } {
  let s: unknown = schema;
  for (const key of path) {
    s = unwrap(s);
    const shape = (s as { _zod?: { def?: { shape?: Record<string, unknown> } } })?._zod?.def?.shape;
    if (!shape || typeof key !== 'string') return {};
    s = shape[key];
  }
  const n = unwrap(s) as { minValue?: number | null; maxValue?: number | null; isInt?: boolean } | undefined;
  const clean = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  // Only inclusive bounds read as "between": z.number().positive() declares an exclusive 0.
  const checks = ((n as { _zod?: { def?: { checks?: Array<{ _zod?: { def?: { check?: string; inclusive?: boolean } } }> } } })?._zod?.def?.checks ?? []).map((c) => c._zod?.def);
  const exclusive = checks.some((c) => (c?.check === 'greater_than' || c?.check === 'less_than') && c.inclusive === false);
  return exclusive ? { integer: n?.isInt } : { min: clean(n?.minValue), max: clean(n?.maxValue), integer: n?.isInt };
}

function unwrap(s: unknown): unknown {
  let cur = s as { _zod?: { def?: { innerType?: unknown } } } | undefined;
  while (cur?._zod?.def?.innerType) cur = cur._zod.def.innerType as typeof cur;
  return cur;
}

function shown(v: unknown): string {
  const text = typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function article(expected: string): string {
  return { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object' }[expected] ?? expected;
}

function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

import * as z from 'zod';

/**
 * zod building blocks for export records: strict where a wrong value would mislead (a key, a
 * title), coercing where the intent is clear (a string where a list belongs becomes a one-item
 * list; a number where text belongs becomes text), and open to keys we do not read.
 */

/** A list; one value becomes a one-item list, null/absent an empty one. */
export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

/** An identifier: text or a number, as text. */
export const id = z.union([z.string().trim().min(1), z.number().finite()]).transform(String);

/** Text that may be absent; numbers and booleans read as text. */
export const optionalText = z.union([z.string(), z.number(), z.boolean()]).nullish().transform((v) => (v === null || v === undefined ? null : String(v)));

/** Any value (references, rich text): read later by the field map. */
export const anything = z.unknown().optional();

export const record = <S extends z.core.$ZodLooseShape>(shape: S) => z.looseObject(shape);

/** A key in an object, for shape detection. */
export function has(x: unknown, ...keys: string[]): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x) && keys.every((k) => k in (x as object));
}

/** The first few records decide what an export is; one malformed record must not hide the file. */
export function someOf(list: unknown[], test: (x: unknown) => boolean, sample = 5): boolean {
  return list.slice(0, sample).some(test);
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { join } from 'node:path';
import * as z from 'zod';
import { HindsightError } from '../common/errors.js';
import { packageRoot } from '../common/package-root.js';

/** Where a match can be: extraction's section kinds, the record's title, Slack messages. */
export const EVIDENCE_PLACES = [
  'title', 'summary', 'impact', 'symptom', 'timeline', 'rootCause', 'trigger', 'contributing', 'detection', 'mitigation',
  'actionItems', 'lessons', 'lessonsWrong', 'people', 'comments', 'other', 'chat',
] as const;
export type EvidencePlace = (typeof EVIDENCE_PLACES)[number];

const regexSource = z.string().min(1).max(500).refine(
  (s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

const EvidenceSchema = z
  .object({
    phrase: z.string().min(1).max(200).optional(),
    pattern: regexSource.optional(),
    weight: z.number().min(0).max(5),
    /** Only these places count for this piece of evidence. */
    sections: z.array(z.enum(EVIDENCE_PLACES)).min(1).optional(),
  })
  .strict()
  .refine((e) => (e.phrase === undefined) !== (e.pattern === undefined), { message: 'needs exactly one of "phrase" or "pattern"' });

const ModeSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9/-]{0,60}$/, 'must be lower-case letters, digits, "-" or "/"'),
    label: z.string().min(1).max(120),
    description: z.string().min(1).max(1000),
    evidence: z.array(EvidenceSchema).min(1).max(100),
  })
  .strict();

const MechanismSchema = z
  .object({
    label: z.string().min(1).max(80),
    patterns: z.array(regexSource).min(1).max(20),
  })
  .strict();

export const TaxonomyFileSchema = z
  .object({
    version: z.literal(1).optional(),
    threshold: z.number().positive().max(20).optional(),
    sectionWeights: z.partialRecord(z.enum(EVIDENCE_PLACES), z.number().min(0).max(5)).optional(),
    modes: z.array(ModeSchema).max(500).optional(),
    mechanisms: z.array(MechanismSchema).max(500).optional(),
  })
  .strict();
export type TaxonomyFile = z.infer<typeof TaxonomyFileSchema>;

export interface CompiledEvidence {
  re: RegExp;
  weight: number;
  sections: ReadonlySet<EvidencePlace> | null;
  /** Lower-case words one of which any match must contain: a cheap test before the regex runs. */
  hints: Hints | null;
}

/** Literal starts of a pattern's matches; `wordStart` when each begins a word (the pattern opens with \b). */
export interface Hints {
  literals: string[];
  wordStart: boolean;
}

/** The words of a text and their prefixes, to answer "does any word start with …" cheaply. */
export class WordPrefixes {
  private readonly prefixes = new Set<string>();
  constructor(readonly lower: string) {
    for (const w of lower.split(/[^a-z0-9]+/)) for (let i = 1; i <= Math.min(w.length, PREFIX_MAX); i++) this.prefixes.add(w.slice(0, i));
  }

  /** Whether the text can contain a match: always true when the hints say nothing. */
  mayMatch(hints: Hints | null): boolean {
    if (!hints) return true;
    if (!hints.wordStart) return hints.literals.some((h) => this.lower.includes(h));
    return hints.literals.some((h) => {
      const first = /^[a-z0-9]+/.exec(h)?.[0];
      return first ? this.prefixes.has(first.slice(0, PREFIX_MAX)) : this.lower.includes(h);
    });
  }
}
const PREFIX_MAX = 12;

function hintsOf(source: string, phrase: boolean): Hints | null {
  const literals = literalHints(source);
  return literals ? { literals, wordStart: phrase || /^\\b/.test(source) } : null;
}

/**
 * Literal words a pattern's matches must contain, read from its leading alternation
 * (`\b(certificates?|certs?)\b…` → "certificate", "cert"), or null when the pattern does not start
 * with plain words. Import runs every pattern on every record; most records contain none of them.
 */
export function literalHints(source: string): string[] | null {
  const s = source.replace(/^\(\?<![^)]*\)/, '').replace(/^\\b/, '');
  // A "|" outside any group anywhere ("\b(a|b)\b…|\bc…") makes the start optional: no hint holds.
  if (hasTopLevelAlternation(s)) return null;
  let alternatives: string[];
  if (s.startsWith('(')) {
    let depth = 0;
    let end = -1;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\') {
        i++;
        continue;
      }
      if (s[i] === '(') depth++;
      else if (s[i] === ')' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0 || /^[?*{]/.test(s.slice(end + 1))) return null;
    const inner = s.slice(1, end).replace(/^\?:/, '');
    alternatives = [];
    depth = 0;
    let cur = '';
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i]!;
      if (c === '\\') {
        cur += c + (inner[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (c === '|' && depth === 0) {
        alternatives.push(cur);
        cur = '';
      } else cur += c;
    }
    alternatives.push(cur);
  } else alternatives = [s];
  const hints: string[] = [];
  for (const alt of alternatives) {
    // The literal start of an alternative; a character made optional by "?", "*" or "{0," is dropped.
    const m = /^[a-z0-9 :'-]+/i.exec(alt.replace(/\\-/g, '-'));
    let lit = m ? m[0] : '';
    const after = alt.slice(lit.length);
    if (/^[?*]|^\{0,/.test(after)) lit = lit.slice(0, -1);
    lit = lit.toLowerCase().replace(/''/g, "'");
    if (lit.trim().length < 2) return null;
    hints.push(lit);
  }
  return hints;
}

/** Whether a pattern has a "|" outside every group and character class. */
function hasTopLevelAlternation(s: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

export interface FailureMode {
  id: string;
  label: string;
  description: string;
  evidence: CompiledEvidence[];
}

export interface Taxonomy {
  threshold: number;
  sectionWeights: Record<EvidencePlace, number>;
  modes: FailureMode[];
  mechanisms: Array<{ label: string; patterns: Array<{ re: RegExp; hints: Hints | null }> }>;
  /** The files it was built from, in order. */
  sources: string[];
}

/** A phrase matches as words; its spaces also match hyphens ("crash loop" finds "crash-loop"). */
function phraseRegex(phrase: string): RegExp {
  const body = phrase
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s-]+');
  // Without the "u" flag: case-insensitive Unicode matching is several times slower, and import
  // runs this on every record.
  return new RegExp(`(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`, 'gi');
}

/** Parses one taxonomy file; any problem is a HindsightError naming the file and the entry. */
/**
 * The YAML parser, loaded when a taxonomy is first parsed (synchronously, through its CommonJS
 * build): loading it costs about as much as starting Node, and search never parses YAML.
 */
let yaml: typeof Yaml | null = null;
const parseYaml = (text: string, options: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions): unknown =>
  (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text, options);

export function parseTaxonomyFile(text: string, fileName: string): TaxonomyFile {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 20, prettyErrors: true });
  } catch (err) {
    throw new HindsightError('bad-taxonomy', `${fileName} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = TaxonomyFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const id = modeIdAt(data, issue.path);
    throw new HindsightError('bad-taxonomy', `${fileName}: ${where || 'the file'}${id ? ` (mode "${id}")` : ''} ${issue.message}.`);
  }
  const ids = new Set<string>();
  for (const m of parsed.data.modes ?? []) {
    if (ids.has(m.id)) throw new HindsightError('bad-taxonomy', `${fileName}: mode "${m.id}" is defined twice.`);
    ids.add(m.id);
  }
  return parsed.data;
}

function modeIdAt(data: unknown, path: PropertyKey[]): string | null {
  if (path[0] !== 'modes' || typeof path[1] !== 'number') return null;
  const mode = (data as { modes?: Array<{ id?: unknown }> })?.modes?.[path[1]];
  return typeof mode?.id === 'string' ? mode.id : null;
}

/**
 * The taxonomy from the shipped file plus a team's files, in order: a mode with an existing id
 * replaces it, a new id is added; `threshold` and `sectionWeights` override the keys they set;
 * mechanisms with an existing label replace it.
 */
export function buildTaxonomy(files: Array<{ name: string; data: TaxonomyFile }>): Taxonomy {
  let threshold = 1;
  const weights = Object.fromEntries(EVIDENCE_PLACES.map((p) => [p, 0])) as Record<EvidencePlace, number>;
  const modes = new Map<string, z.infer<typeof ModeSchema>>();
  const mechanisms = new Map<string, string[]>();
  for (const { data } of files) {
    if (data.threshold !== undefined) threshold = data.threshold;
    for (const [k, v] of Object.entries(data.sectionWeights ?? {})) weights[k as EvidencePlace] = v;
    for (const m of data.modes ?? []) modes.set(m.id, m);
    for (const m of data.mechanisms ?? []) mechanisms.set(m.label, m.patterns);
  }
  return {
    threshold,
    sectionWeights: weights,
    modes: [...modes.values()].map((m) => ({
      id: m.id,
      label: m.label,
      description: m.description,
      evidence: m.evidence.map((e) => ({
        re: e.phrase !== undefined ? phraseRegex(e.phrase) : new RegExp(e.pattern!, 'gi'),
        weight: e.weight,
        sections: e.sections ? new Set(e.sections) : null,
        hints: e.phrase !== undefined ? { literals: [e.phrase.trim().toLowerCase()], wordStart: /^[a-z0-9]/i.test(e.phrase.trim()) } : hintsOf(e.pattern!, false),
      })),
    })),
    mechanisms: [...mechanisms.entries()].map(([label, patterns]) => ({ label, patterns: patterns.map((p) => ({ re: new RegExp(p, 'gi'), hints: hintsOf(p, false) })) })),
    sources: files.map((f) => f.name),
  };
}

/** The failure-mode file shipped with Hindsight (found from sources and from the built `dist/`). */
export function defaultTaxonomyPath(): string {
  return join(packageRoot(import.meta.url), 'config', 'failure-modes.yaml');
}

/** A taxonomy file's text; a missing or unreadable file is a HindsightError naming it. */
export function readTaxonomyText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HindsightError(code === 'ENOENT' ? 'not-found' : 'unreadable', `Failure-mode file ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`}.`);
  }
}

/** The files a taxonomy is built from, in order: the shipped one, then a team's. */
export function taxonomyFiles(extraFiles: readonly string[] = []): string[] {
  return [defaultTaxonomyPath(), ...extraFiles];
}

/** A taxonomy from files already read (name and text, in order). */
export function taxonomyFromTexts(files: ReadonlyArray<{ name: string; text: string }>): Taxonomy {
  return buildTaxonomy(files.map(({ name, text }) => ({ name, data: parseTaxonomyFile(text, name) })));
}

/**
 * A taxonomy, or how to get one when it is first needed: parsing the YAML is the largest single
 * cost of opening an engine (a third of a cold CLI search), and search never reads it.
 */
export type TaxonomySource = Taxonomy | (() => Taxonomy);

export function resolveTaxonomy(source: TaxonomySource): Taxonomy {
  return typeof source === 'function' ? source() : source;
}

/** The shipped taxonomy, extended by a team's files (each must exist). */
export function loadTaxonomy(options: { extraFiles?: string[] } = {}): Taxonomy {
  return taxonomyFromTexts(taxonomyFiles(options.extraFiles).map((name) => ({ name, text: readTaxonomyText(name) })));
}

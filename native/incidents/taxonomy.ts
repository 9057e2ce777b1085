import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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
  mechanisms: Array<{ label: string; patterns: RegExp[] }>;
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
      })),
    })),
    mechanisms: [...mechanisms.entries()].map(([label, patterns]) => ({ label, patterns: patterns.map((p) => new RegExp(p, 'gi')) })),
    sources: files.map((f) => f.name),
  };
}

/** The failure-mode file shipped with Hindsight (found from sources and from the built `dist/`). */
export function defaultTaxonomyPath(): string {
  return join(packageRoot(import.meta.url), 'config', 'failure-modes.yaml');
}

function readTaxonomyFile(path: string): TaxonomyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HindsightError(code === 'ENOENT' ? 'not-found' : 'unreadable', `Failure-mode file ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`}.`);
  }
  return parseTaxonomyFile(text, path);
}

/** The shipped taxonomy, extended by a team's files (each must exist). */
export function loadTaxonomy(options: { extraFiles?: string[] } = {}): Taxonomy {
  const base = defaultTaxonomyPath();
  return buildTaxonomy([base, ...(options.extraFiles ?? [])].map((name) => ({ name, data: readTaxonomyFile(name) })));
}

// A sampled mutation run: an honest score for a folder whose full run cannot finish here.
//
//   MUTATE=import MUTATION_SAMPLE=80 npm run test:mutation      (MUTATION_SEED, default 1)
//   node scripts/mutation-sample.mjs report import.sample-80-seed-1   (its score, even of a cut run)
//
// What is sampled: mutant LOCATIONS (the syntax node a mutant replaces; one node carries 1–4
// mutants, e.g. `a < b` → `a <= b`, `a >= b`, `true`, `false`). Stryker's instrumenter lists every
// mutant of the group's files; the locations, in a shuffle seeded by MUTATION_SEED, are taken
// until they hold MUTATION_SAMPLE mutants, and every mutant on a taken location is tested. It is
// a cluster sample, so the 95 % interval allows for the clustering (the mutants of
// one node tend to live or die together): a Wilson interval at the effective sample size (see
// `score`), not one that takes the mutants for independent draws.
//
// How Stryker is made to test only those (its own means, no patch): each location becomes a
// `mutate` range `file:L1:C1-L2:C2` (stryker.config.mjs), which selects the node and everything
// inside it; the ignorer below (Stryker's Ignore plugin kind) then ignores every node inside a
// range that is neither sampled nor holds a sampled node, so a sampled block `{ … }` does not drag
// the whole function body's mutants along. What still runs beyond the sample (a node between two
// nested sampled ones) is tested but not counted.
//
// The same seed and the same source give the same sample: a re-run measures the same mutants. A
// smaller sample is the start of a larger one (the same shuffle), and the runs of one seed share
// an incremental file: MUTATION_SAMPLE=20, then =40, tests only the 20 added the second time.
// Grow a sample that way rather than cutting a big run: Stryker tests mutants in file order, so
// what a cut run tested is not a random sample. Each tested mutant is appended to
// reports/mutation/<selection>.sample.jsonl as it finishes (the whole sample at the end).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { declareClassPlugin, declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const ENV_SAMPLE = 'HINDSIGHT_MUTATION_SAMPLE_LOCATIONS';
const ENV_LOG = 'HINDSIGHT_MUTATION_SAMPLE_LOG';
const BOOTSTRAP_ROUNDS = 4000;

/** The files a group's patterns name (`dir/*.ts`, `dir/**\/*.ts`, or plain paths), sorted. */
export function expandPatterns(patterns) {
  const files = new Set();
  for (const pattern of patterns) {
    if (!pattern.includes('*')) {
      files.add(pattern);
      continue;
    }
    const dir = pattern.slice(0, pattern.indexOf('*')).replace(/\/[^/]*$/, '');
    const escape = (s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    const re = new RegExp(`^${pattern.split('**/').map(escape).join('(?:.*/)?')}$`);
    for (const f of readdirSync(dir, { recursive: true })) if (re.test(`${dir}/${f}`)) files.add(`${dir}/${f}`);
  }
  return [...files].sort();
}

/** Location key, from a location with 1-based lines and 0-based columns (Babel's). */
const key = (file, loc) => `${file}:${loc.start.line}:${loc.start.column}-${loc.end.line}:${loc.end.column}`;

/** mulberry32: a small seeded generator, so a sample is the same on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quietLogger = { isTraceEnabled: () => false, isDebugEnabled: () => false, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, fatal: console.error };

/**
 * Every mutant Stryker would make in the files, grouped by location; then the seeded sample.
 * Returns the sampled locations (1-based lines, 0-based columns), their mutant count, and the
 * population's size.
 */
export async function drawSample(patterns, size, seed) {
  const files = expandPatterns(patterns);
  const instrumenter = new Instrumenter(quietLogger);
  const { mutants } = await instrumenter.instrument(
    files.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [], noHeader: false },
  );
  const byLocation = new Map();
  for (const m of mutants) {
    if (m.status) continue; // ignored by a `// Stryker disable` comment: never run
    // The instrumenter's API lines are 0-based; ranges and Babel nodes count from 1.
    const loc = { start: { line: m.location.start.line + 1, column: m.location.start.column }, end: { line: m.location.end.line + 1, column: m.location.end.column } };
    const k = key(m.fileName, loc);
    const entry = byLocation.get(k) ?? { key: k, file: m.fileName, loc, mutants: 0 };
    entry.mutants++;
    byLocation.set(k, entry);
  }
  const all = [...byLocation.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const rand = random(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const taken = [];
  let count = 0;
  for (const loc of all) {
    if (count >= size) break;
    taken.push(loc);
    count += loc.mutants;
  }
  return { locations: taken, mutants: count, population: { mutants: [...byLocation.values()].reduce((s, l) => s + l.mutants, 0), locations: byLocation.size, files: files.length } };
}

/** Stryker `mutate` entries for the sampled locations. */
export function mutateRanges(sample) {
  return sample.locations.map((l) => `${l.file}:${l.loc.start.line}:${l.loc.start.column}-${l.loc.end.line}:${l.loc.end.column}`);
}

/**
 * Sets up a sampled run for stryker.config.mjs: draws the sample, hands it to the ignorer and the
 * reporter below (through the environment: Stryker loads plugins by path), starts a fresh log.
 */
export async function prepareSampledRun(patterns, size, seed, logFile) {
  const sample = await drawSample(patterns, size, seed);
  process.env[ENV_SAMPLE] = JSON.stringify(sample.locations.map((l) => ({ key: l.key, file: resolve(l.file), loc: l.loc })));
  process.env[ENV_LOG] = resolve(logFile);
  // A fresh worktree has no reports/ yet (it is ignored by git): the reporter appends from the first mutant.
  mkdirSync(dirname(logFile), { recursive: true });
  rmSync(logFile, { force: true });
  console.log(`Mutation sample (seed ${seed}): ${sample.locations.length} of ${sample.population.locations} locations, ${sample.mutants} of ${sample.population.mutants} mutants in ${sample.population.files} files.`);
  return sample;
}

function sampledLocations() {
  const raw = process.env[ENV_SAMPLE];
  return raw ? JSON.parse(raw) : null;
}

const inside = (outer, inner) =>
  (outer.start.line < inner.start.line || (outer.start.line === inner.start.line && outer.start.column <= inner.start.column)) &&
  (outer.end.line > inner.end.line || (outer.end.line === inner.end.line && outer.end.column >= inner.end.column));

/** Ignores the nodes of a sampled run that are not sampled and hold no sampled node. */
// Read on first use: stryker.config.mjs imports this module before it draws the sample.
function makeIgnorer() {
  let byFile = null;
  return {
    shouldIgnore(path) {
      if (!byFile) {
        byFile = new Map();
        for (const l of sampledLocations() ?? []) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l]);
      }
      const file = path.hub?.file?.opts?.filename;
      const loc = path.node.loc;
      if (!byFile.size || !file || !loc) return undefined;
      const here = byFile.get(resolve(file)) ?? [];
      const own = { start: loc.start, end: loc.end };
      if (here.some((l) => inside(own, l.loc))) return undefined; // sampled, or holds a sampled node
      return 'Not in the mutation sample';
    },
  };
}

/** Reports count lines and columns from 1; the sample uses Babel's 0-based columns. */
function resultKey(fileName, location) {
  const loc = { start: { line: location.start.line, column: location.start.column - 1 }, end: { line: location.end.line, column: location.end.column - 1 } };
  return key(relative(process.cwd(), resolve(fileName)), loc);
}

const row = (k, m) => ({ location: k, id: m.id, mutator: m.mutatorName, replacement: m.replacement, status: m.status, killedBy: m.killedBy, coveredBy: m.coveredBy });

/**
 * Appends each tested mutant of the sample to the log as it finishes (what a cut run leaves);
 * at the end, rewrites the log from the whole report (which also holds the results reused from
 * the incremental file) and prints the score.
 */
class SampleReporter {
  constructor() {
    this.keys = new Set((sampledLocations() ?? []).map((l) => l.key));
    this.log = process.env[ENV_LOG];
  }
  onMutantTested(result) {
    const k = resultKey(result.fileName, result.location);
    if (this.log && this.keys.has(k)) appendFileSync(this.log, `${JSON.stringify(row(k, result))}\n`);
  }
  onMutationTestReportReady(report) {
    if (!this.log) return;
    const rows = [];
    for (const [fileName, file] of Object.entries(report.files)) {
      for (const m of file.mutants) {
        const k = resultKey(fileName, m.location);
        if (this.keys.has(k)) rows.push(row(k, m));
      }
    }
    writeFileSync(this.log, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    console.log(formatScore(score(rows)));
  }
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'mutation-sample', makeIgnorer()),
  declareClassPlugin(PluginKind.Reporter, 'mutation-sample', SampleReporter),
];

export function readLog(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

/**
 * The score over the tested sample (killed + timed out over killed, timed out, survived and not
 * covered, as Stryker counts it) and its 95 % interval: a Wilson interval at the sample's
 * effective size, the number of mutants divided by the design effect of the cluster sample (the
 * variance of the score under a bootstrap over locations, over the binomial variance; at least
 * 1). The bootstrap alone gives a zero-width interval when every sampled mutant was killed.
 */
export function score(rows, seed = 1) {
  const counts = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const clusters = new Map();
  for (const r of rows) {
    if (!COUNTED.has(r.status)) continue;
    const c = clusters.get(r.location) ?? { detected: 0, total: 0 };
    c.total++;
    if (DETECTED.has(r.status)) c.detected++;
    clusters.set(r.location, c);
  }
  const list = [...clusters.values()];
  const n = list.reduce((s, c) => s + c.total, 0);
  const ratio = (cs) => cs.reduce((s, c) => s + c.detected, 0) / cs.reduce((s, c) => s + c.total, 0);
  const p = n ? ratio(list) : NaN;
  const rand = random(seed);
  let sum = 0;
  let sumSq = 0;
  for (let b = 0; b < BOOTSTRAP_ROUNDS && n; b++) {
    const r = ratio(Array.from({ length: list.length }, () => list[Math.floor(rand() * list.length)]));
    sum += r;
    sumSq += r * r;
  }
  const bootVariance = n ? sumSq / BOOTSTRAP_ROUNDS - (sum / BOOTSTRAP_ROUNDS) ** 2 : 0;
  const binomialVariance = (p * (1 - p)) / n;
  const designEffect = binomialVariance > 0 ? Math.max(1, bootVariance / binomialVariance) : 1;
  const [low, high] = wilson(p, n / designEffect);
  return { counts, mutants: n, locations: list.length, value: p, low, high, designEffect };
}

/** Wilson score interval, 95 %, for proportion p over (effective) size n. */
export function wilson(p, n, z = 1.96) {
  if (!n) return [NaN, NaN];
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n)));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function formatScore(s) {
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const parts = Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  return `Sampled mutation score: ${pct(s.value)}, 95 % interval ${pct(s.low)}–${pct(s.high)} (Wilson at the effective size, design effect ${s.designEffect.toFixed(2)}), ${s.mutants} mutants on ${s.locations} locations [${parts}]`;
}

// `node scripts/mutation-sample.mjs report <selection>` (e.g. import.sample-80-seed-1): the score of a (possibly cut) sampled run.
// `node scripts/mutation-sample.mjs list <selection>`: its sampled mutants that survived.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, selection] = process.argv.slice(2);
  const file = `reports/mutation/${selection}.sample.jsonl`;
  if (!selection || !existsSync(file)) throw new Error(`usage: node scripts/mutation-sample.mjs report|list <selection> (needs ${file}, written by a sampled run)`);
  const rows = readLog(file);
  if (command === 'report') console.log(formatScore(score(rows)));
  else if (command === 'list') {
    for (const r of rows) if (!DETECTED.has(r.status)) console.log(`${r.status}\t${r.location}\t${r.mutator}\t${JSON.stringify(r.replacement)}`);
  } else throw new Error(`unknown command ${command} (report or list)`);
}

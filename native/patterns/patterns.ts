/**
 * Recurring patterns across incidents (not documents): incidents are grouped by what failed and
 * where — their main failure mode, then the service most of them hit — and labelled so a person
 * reads them ("Certificate expiry · ingress"). Incidents no failure mode names are grouped by
 * their distinctive words (linked to their nearest neighbours, strongest link first, bounded),
 * labelled by what they share — never by people's names or ticket-field values. Each theme has
 * its incidents, its counts per month, its playbook and its people.
 */
import { checkpoint } from '../common/checkpoint.js';
import type { DocumentKind, IncidentSummary, Pattern, PatternsResult, PersonRole } from '../contract.js';
import type { IncidentViews } from '../incidents/view.js';
import { buildPlaybook } from '../playbook/playbook.js';
import { isStopword, stem } from '../search/terms.js';
import type { IncidentRow, Store } from '../store/store.js';

export interface PatternsOptions {
  since?: string;
  until?: string;
  kinds?: DocumentKind[];
  minSize: number;
  limit: number;
  semantic: boolean;
  signal?: AbortSignal;
}

/** Share of a theme's incidents that must name a service for it to be in the label. */
const LABEL_SHARE = 0.4;
const FEATURES = 30;
const NEIGHBOURS = 6;
/** Candidates per incident scored exactly, of which the NEIGHBOURS best link. */
const CANDIDATES = 4 * NEIGHBOURS;
const LINK_THRESHOLD = 0.22;
const MAX_CLUSTER = 60;
/** Incidents one feature links each incident to, at most (see clusters). */
const POSTING_CAP = 400;
/** Share of a theme's incidents that must have the failure mode or service that joined it. */
const COHERENT_SHARE = 0.5;

export async function findPatterns(store: Store, views: IncidentViews, o: PatternsOptions): Promise<PatternsResult> {
  const started = performance.now();
  let rows = await store.incidents.list({ since: o.since, until: o.until });
  if (o.kinds?.length) {
    const kinds = new Set<string>(o.kinds);
    const docs = await store.documents.summaries(rows.flatMap((r) => r.records.map((m) => m.documentId)));
    rows = rows.filter((r) => r.records.some((m) => kinds.has(docs.get(m.documentId)?.kind ?? '')));
  }
  await checkpoint(o.signal);

  // Incidents linked to their nearest neighbours by what failed (failure modes), where (services),
  // how (mechanism) and their distinctive words; merged strongest link first into bounded themes.
  const names = new Set((await store.entities.names('person')).flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 2));
  // Each incident's words are read once (themes, document frequencies and labels all use them).
  const texts = incidentWords(rows, names);
  const groups = (await clusters(rows, texts, o.signal)).map((c) => ({ rows: c, ...dominant(c) }));
  const words = wordStats(rows, texts);

  // Largest (then latest) themes first; only those shown are described (labels and playbooks are
  // most of the cost of a theme, and at 10,000 incidents there are a thousand themes).
  const lastAt = (g: { rows: IncidentRow[] }) => g.rows.reduce<string | null>((m, r) => (r.startedAt && (m === null || r.startedAt > m) ? r.startedAt : m), null);
  const shown = groups
    .filter((g) => g.rows.length >= o.minSize)
    .map((g) => ({ g, lastAt: lastAt(g) }))
    .sort((a, b) => b.g.rows.length - a.g.rows.length || (b.lastAt ?? '').localeCompare(a.lastAt ?? ''))
    .slice(0, o.limit)
    .map(({ g }) => g);
  const summaries = new Map((await views.summariesOf(shown.flatMap((g) => g.rows))).map((s) => [s.incidentId, s]));
  const patterns: Pattern[] = shown.map((g, i) => ({ ...describe(g, views, summaries, words), id: i + 1 }));

  const tally = (facet: 'service' | 'failure-mode') => {
    const counts = new Map<string, { label: string; n: number }>();
    for (const r of rows) {
      const keys = facet === 'service' ? r.fields.services.map((s) => [s.value.toLowerCase(), s.value] as const) : r.fields.failureModes.map((m) => [m.value, views.labelOf(m.value)] as const);
      for (const [k, label] of new Map(keys)) counts.set(k, { label, n: (counts.get(k)?.n ?? 0) + 1 });
    }
    return [...counts.entries()].filter(([, c]) => c.n >= 2).sort((a, b) => b[1].n - a[1].n).slice(0, 15);
  };
  return {
    mode: o.semantic ? 'hybrid' : 'lexical',
    incidents: rows.length,
    patterns,
    topServices: tally('service').map(([, c]) => ({ name: c.label, incidents: c.n })),
    topFailureModes: tally('failure-mode').map(([id, c]) => ({ id, label: c.label, incidents: c.n })),
    tookMs: Math.round(performance.now() - started),
  };
}

/** The failure mode and service most of a theme's incidents share, if any. */
function dominant(rows: IncidentRow[]): { mode: string | null; service: string | null } {
  const top = (lists: string[][]) => {
    const m = new Map<string, number>();
    for (const l of lists) for (const v of new Set(l)) m.set(v, (m.get(v) ?? 0) + 1);
    const best = [...m.entries()].sort((a, b) => b[1] - a[1])[0];
    return best && best[1] >= Math.max(2, Math.ceil(rows.length * LABEL_SHARE)) ? best[0] : null;
  };
  return { mode: top(rows.map((r) => r.fields.failureModes.map((m) => m.value))), service: top(rows.map((r) => r.fields.services.map((s) => s.value.toLowerCase()))) };
}

/** Label, span, counts per month, playbook and people of one theme. */
function describe(g: { rows: IncidentRow[]; mode: string | null; service: string | null }, views: IncidentViews, summaries: Map<number, IncidentSummary>, words: WordStats): Omit<Pattern, 'id'> {
  const n = g.rows.length;
  const share = (count: number) => count >= Math.max(2, Math.ceil(n * LABEL_SHARE));
  const count = <T>(values: T[][]) => {
    const m = new Map<T, number>();
    for (const list of values) for (const v of new Set(list)) m.set(v, (m.get(v) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const services = count(g.rows.map((r) => r.fields.services.map((s) => s.value))).filter(([, c]) => share(c)).map(([s]) => s);
  const mechanism = count(g.rows.map((r) => r.fields.mechanism)).filter(([, c]) => share(c)).map(([m]) => m);
  const modes = count(g.rows.map((r) => r.fields.failureModes.map((m) => m.value))).filter(([id, c]) => id === g.mode || share(c)).map(([id]) => ({ id, label: views.labelOf(id) }));
  const terms = g.mode ? [] : sharedWords(g.rows, words);
  // The service most share first, as its records write it.
  const lead = g.service ? (services.find((s) => s.toLowerCase() === g.service) ?? g.service) : null;
  const where = lead ? [lead, ...services.filter((s) => s.toLowerCase() !== g.service)].slice(0, 2) : services.slice(0, 2);
  // What failed: the failure mode, else the mechanism they share ("consumer lag"), else their telling
  // words — not words already in the services' names.
  const inWhere = (t: string) => where.some((w) => w.toLowerCase().includes(t.toLowerCase()));
  const what = g.mode ? views.labelOf(g.mode) : mechanism.length ? mechanism.slice(0, 2).join(', ') : terms.filter((t) => !inWhere(t)).slice(0, 3).join(' · ');
  const label = [what, where.join(', ') || (g.mode ? mechanism.slice(0, 2).join(', ') : '')].filter(Boolean).join(' · ') || g.rows[0]!.title;
  const dates = g.rows.map((r) => r.startedAt).filter((x): x is string => !!x).sort();
  const perMonth: Record<string, number> = {};
  for (const at of dates) perMonth[at.slice(0, 7)] = (perMonth[at.slice(0, 7)] ?? 0) + 1;
  const people = new Map<string, { name: string; incidents: Set<number>; roles: Set<PersonRole> }>();
  for (const r of g.rows) {
    for (const p of r.fields.people) {
      const k = p.value.name.toLowerCase();
      const e = people.get(k) ?? { name: p.value.name, incidents: new Set<number>(), roles: new Set<PersonRole>() };
      e.incidents.add(r.id);
      e.roles.add(p.value.role);
      people.set(k, e);
    }
  }
  const ordered = [...g.rows].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  return {
    label,
    failureModes: modes,
    services,
    mechanism,
    terms,
    size: n,
    firstAt: dates[0] ?? null,
    lastAt: dates.at(-1) ?? null,
    incidents: ordered.map((r) => summaries.get(r.id)!).filter(Boolean),
    perMonth,
    playbook: buildPlaybook(label, ordered),
    people: [...people.values()]
      .map((p) => ({ name: p.name, incidents: p.incidents.size, roles: [...p.roles] }))
      .sort((a, b) => b.incidents - a.incidents || a.name.localeCompare(b.name))
      .slice(0, 8),
  };
}

/** What an incident is about, in words: its title and the fields that tell the story. */
function incidentText(r: IncidentRow): string {
  const f = r.fields;
  return [r.title, r.title, f.symptom?.value, f.trigger?.value, f.rootCause?.value, f.mitigation?.value, ...f.mechanism].filter(Boolean).join(' ');
}

// Words frequent in every incident write-up, and ticket field names whose values would otherwise
// label themes ("Category 40", "Group 25", "high").
const STOP = new Set(
  ('the and for are was were with this that from have has had not but all any can our out when what which who will would there their they them then than into also been being more most some such only over very just about after before during while where incident incidents issue issues team teams time times date summary impact timeline root cause resolution action actions items lessons learned postmortem post mortem however because could should used using use user users one two three new see need needed make made still able via per due across within without around including both each other same like ' +
    'category subcategory symptom group caller resolver code priority severity urgency state assignment status closed resolved open done fixed high low medium moderate critical major minor trivial blocker normal'
  ).split(' '),
);

/** An incident's telling words, and the stem of each (same order). */
interface IncidentWords {
  words: string[];
  stems: string[];
}

/**
 * The words of each incident that can tell a theme (not stopwords, ticket field names, people's
 * names or numbers), read once, each with its stem. Whether a word tells, and its stem, are
 * decided once per distinct word (most words occur in thousands of incidents).
 */
function incidentWords(rows: IncidentRow[], names: Set<string>): Map<IncidentRow, IncidentWords> {
  const stems = new Map<string, string | null>();
  const stemOf = (w: string) => {
    let s = stems.get(w);
    if (s === undefined) stems.set(w, (s = w.length > 2 && !STOP.has(w) && !isStopword(w) && !names.has(w) && !/\d/.test(w) ? stem(w) : null));
    return s;
  };
  return new Map(
    rows.map((r) => {
      const words: string[] = [];
      const out: string[] = [];
      for (const w of incidentText(r).toLowerCase().match(/[\p{L}][\p{L}\p{N}-]+/gu) ?? []) {
        const s = stemOf(w);
        if (s === null) continue;
        words.push(w);
        out.push(s);
      }
      return [r, { words, stems: out }];
    }),
  );
}

interface WordStats {
  texts: Map<IncidentRow, IncidentWords>;
  /** In how many of all the incidents each stem occurs. */
  df: Map<string, number>;
  total: number;
}

function wordStats(rows: IncidentRow[], texts: Map<IncidentRow, IncidentWords>): WordStats {
  const df = new Map<string, number>();
  for (const r of rows) for (const s of new Set(texts.get(r)!.stems)) df.set(s, (df.get(s) ?? 0) + 1);
  return { texts, df, total: rows.length };
}

/**
 * Words most incidents of a cluster share, in their most common surface form, telling ones first:
 * shared within the theme, rare across all incidents ("rebalance", not "service" or "minutes").
 */
function sharedWords(rows: IncidentRow[], words: WordStats): string[] {
  const present = new Map<string, { n: number; forms: Map<string, number> }>();
  for (const r of rows) {
    const seen = new Set<string>();
    const { words: list, stems } = words.texts.get(r)!;
    for (let k = 0; k < list.length; k++) {
      const w = list[k]!;
      const s = stems[k]!;
      const e = present.get(s) ?? { n: 0, forms: new Map() };
      e.forms.set(w, (e.forms.get(w) ?? 0) + 1);
      if (!seen.has(s)) e.n++;
      seen.add(s);
      present.set(s, e);
    }
  }
  // A word in a third of every incident names no theme (with too few incidents to tell, keep all).
  const common = words.total >= 9 ? words.total / 3 : Infinity;
  const weight = (s: string, n: number) => n * Math.log((words.total + 1) / (words.df.get(s) ?? 1));
  return [...present.entries()]
    .filter(([s, e]) => e.n >= Math.max(2, rows.length * 0.4) && (words.df.get(s) ?? 0) <= common)
    .sort((a, b) => weight(b[0], b[1].n) - weight(a[0], a[1].n))
    .slice(0, 5)
    .map(([, e]) => [...e.forms.entries()].sort((a, b) => b[1] - a[1])[0]![0]);
}

/**
 * Incidents linked to their nearest neighbours by tf·idf of their words (two shared features at
 * least), merged strongest link first into clusters of at most MAX_CLUSTER.
 */
async function clusters(rows: IncidentRow[], texts: Map<IncidentRow, IncidentWords>, signal?: AbortSignal): Promise<IncidentRow[][]> {
  const n = rows.length;
  if (n < 2) return [];
  const counts = rows.map((r) => {
    const tf = new Map<string, number>();
    for (const s of texts.get(r)!.stems) tf.set(s, (tf.get(s) ?? 0) + 1);
    // What failed, where and how weigh as much as several telling words.
    for (const m of r.fields.failureModes) tf.set(`@mode:${m.value}`, 6);
    for (const s of r.fields.services) tf.set(`@service:${s.value.toLowerCase()}`, 3);
    for (const m of r.fields.mechanism) tf.set(`@how:${m.toLowerCase()}`, 3);
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of counts) for (const f of tf.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const maxDf = Math.max(4, Math.min(0.1 * n, 50 + 0.01 * n));
  // Each incident's features as numbers (an id per feature) and weights, strongest first.
  const featureId = new Map<string, number>();
  const features = counts.map((tf) => {
    const weighted = [...tf.entries()]
      .filter(([f]) => (df.get(f) ?? 0) >= 2 && (f.startsWith('@') || (df.get(f) ?? 0) <= maxDf))
      .map(([f, c]) => [f, (1 + Math.log(c)) * Math.log(n / df.get(f)!)] as [string, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, FEATURES);
    const norm = Math.hypot(...weighted.map(([, w]) => w)) || 1;
    const ids = new Int32Array(weighted.length);
    const weights = new Float64Array(weighted.length);
    weighted.forEach(([f, w], k) => {
      let id = featureId.get(f);
      if (id === undefined) featureId.set(f, (id = featureId.size));
      ids[k] = id;
      weights[k] = w / norm;
    });
    return { ids, weights };
  });
  const lists: Array<Array<[number, number]>> = Array.from({ length: featureId.size }, () => []);
  features.forEach(({ ids, weights }, i) => {
    for (let k = 0; k < ids.length; k++) lists[ids[k]!]!.push([i, weights[k]!]);
  });
  // A feature many incidents have (a common failure mode or service) would make this quadratic:
  // each incident meets only the POSTING_CAP incidents where that feature weighs most.
  const postings = lists.map((list) => {
    if (list.length > POSTING_CAP) list.sort((a, b) => b[1] - a[1]).length = POSTING_CAP;
    return { ids: Int32Array.from(list, (e) => e[0]), weights: Float64Array.from(list, (e) => e[1]) };
  });
  const edges: Array<[number, number, number]> = [];
  // Accumulators indexed by incident, reset through the touched list (a Map of objects here was
  // most of the time, and garbage, at 10,000 incidents).
  const simAcc = new Float64Array(n);
  const sharedAcc = new Uint16Array(n);
  const touched: number[] = [];
  const topSim = new Float64Array(CANDIDATES);
  const topJ = new Int32Array(CANDIDATES);
  // The current incident's weight of each feature, and whether it has it (a weight can be 0).
  const mineWeight = new Float64Array(featureId.size);
  const mineOf = new Int32Array(featureId.size).fill(-1);
  for (let i = 0; i < n; i++) {
    if (i % 500 === 499) await checkpoint(signal);
    touched.length = 0;
    const mine = features[i]!;
    for (let m = 0; m < mine.ids.length; m++) {
      const f = mine.ids[m]!;
      const w = mine.weights[m]!;
      mineWeight[f] = w;
      mineOf[f] = i;
      const { ids, weights } = postings[f]!;
      for (let k = 0; k < ids.length; k++) {
        const j = ids[k]!;
        if (j === i) continue;
        if (sharedAcc[j] === 0) touched.push(j);
        simAcc[j]! += w * weights[k]!;
        sharedAcc[j]!++;
      }
    }
    // One shared word is a coincidence; two start a theme. The most promising candidates are
    // then scored exactly (a capped feature may have left its share out): the CANDIDATES most
    // similar, kept in order as they come (thousands qualify at 10,000 incidents, and sorting
    // them all was most of the time). Ties keep the first touched, as a stable sort would.
    let kept = 0;
    for (const j of touched) {
      const sim = simAcc[j]!;
      if (sharedAcc[j]! >= 2 && (kept < CANDIDATES || sim > topSim[CANDIDATES - 1]!)) {
        let at = Math.min(kept, CANDIDATES - 1);
        while (at > 0 && topSim[at - 1]! < sim) {
          topSim[at] = topSim[at - 1]!;
          topJ[at] = topJ[at - 1]!;
          at--;
        }
        topSim[at] = sim;
        topJ[at] = j;
        if (kept < CANDIDATES) kept++;
      }
      simAcc[j] = 0;
      sharedAcc[j] = 0;
    }
    const best: Array<{ j: number; sim: number }> = [];
    for (let c = 0; c < kept; c++) {
      const j = topJ[c]!;
      const theirs = features[j]!;
      let sim = 0;
      let shared = 0;
      for (let k = 0; k < theirs.ids.length; k++) {
        const f = theirs.ids[k]!;
        if (mineOf[f] !== i) continue;
        sim += theirs.weights[k]! * mineWeight[f]!;
        shared++;
      }
      if (shared >= 2) best.push({ j, sim });
    }
    best.sort((a, b) => b.sim - a.sim);
    for (const a of best.slice(0, NEIGHBOURS)) if (a.sim >= LINK_THRESHOLD) edges.push([i, a.j, a.sim]);
  }
  edges.sort((a, b) => b[2] - a[2]);
  const parent = rows.map((_, i) => i);
  const size = rows.map(() => 1);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  // What each theme's incidents share (failure modes, services), kept per root: two themes join
  // only through a failure mode or service both have and at least half of the joined theme shares.
  // Single links alone chain unlike incidents (a Kafka lag, a pool exhaustion, a DNS failure) into
  // one theme through words or symptoms ("5xx errors") each pair happens to share.
  const structured = counts.map((tf) => new Map([...tf.keys()].filter((f) => f.startsWith('@mode:') || f.startsWith('@service:')).map((f) => [f, 1])));
  const typedCount = structured.map((m) => (m.size ? 1 : 0));
  const coherent = (ra: number, rb: number): boolean => {
    const total = size[ra]! + size[rb]!;
    // Records nothing was extracted from (free-form notes) group by their words alone.
    if (typedCount[ra]! + typedCount[rb]! < Math.ceil(total / 2)) return true;
    // A side with no fields at all cannot contradict the other: its words decide.
    if (!typedCount[ra] || !typedCount[rb]) return true;
    const need = Math.max(2, Math.ceil(total * COHERENT_SHARE));
    const y = structured[rb]!;
    for (const [f, c] of structured[ra]!) if (y.has(f) && c + y.get(f)! >= need) return true;
    return false;
  };
  for (const [a, b] of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb || size[ra]! + size[rb]! > MAX_CLUSTER || !coherent(ra, rb)) continue;
    parent[rb] = ra;
    size[ra]! += size[rb]!;
    typedCount[ra]! += typedCount[rb]!;
    for (const [f, c] of structured[rb]!) structured[ra]!.set(f, (structured[ra]!.get(f) ?? 0) + c);
  }
  const groupsOf = new Map<number, IncidentRow[]>();
  rows.forEach((r, i) => {
    const root = find(i);
    let list = groupsOf.get(root);
    if (!list) groupsOf.set(root, (list = []));
    list.push(r);
  });
  return [...groupsOf.values()].filter((c) => c.length >= 2);
}

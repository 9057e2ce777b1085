import type { Segment } from './outline.js';
import { WordPrefixes, type EvidencePlace, type Taxonomy } from './taxonomy.js';
import type { IncidentRecord, Sourced } from './types.js';

/** A stretch of the body and where it counts as evidence. */
export interface Zone {
  start: number;
  end: number;
  place: EvidencePlace;
  section: string | null;
}

export function zonesOf(segments: Segment[], placeOf: (s: Segment) => EvidencePlace = (s) => s.kind): Zone[] {
  return segments.map((s) => ({ start: s.headingStart, end: s.end, place: placeOf(s), section: s.heading })).sort((a, b) => a.start - b.start);
}

function zoneAt(zones: Zone[], offset: number): Zone | null {
  let lo = 0;
  let hi = zones.length - 1;
  let found: Zone | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (zones[mid]!.start <= offset) {
      found = zones[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && offset < found.end ? found : null;
}

/** "not a DNS issue", "no data was lost", "unrelated to the deploy": the match says the opposite. */
const NEGATION = /\b(not|no|never|no longer|ruled out|unrelated to|rather than|instead of|without|wasn'?t|isn'?t|weren'?t|aren'?t|didn'?t|doesn'?t)\s+(\S+\s+){0,2}$/i;

function negated(text: string, at: number): boolean {
  return NEGATION.test(text.slice(Math.max(0, at - 40), at));
}

interface Hit {
  contribution: number;
  zone: Zone | null;
  start: number;
  end: number;
}

/** The word index of the last record seen (failure modes and mechanisms read the same one). */
let lastWords: { body: string; title: string | null; words: WordPrefixes } | null = null;
function wordsOf(body: string, title: string | null): WordPrefixes {
  if (lastWords?.body !== body || lastWords.title !== title) lastWords = { body, title, words: new WordPrefixes(`${title ?? ''}\n${body}`.toLowerCase()) };
  return lastWords.words;
}

/** How much mentions in other places add to a piece of evidence's best one (at most doubling it). */
const CORROBORATION = 0.3;

/**
 * Failure modes a record shows: each mode's evidence, counted once where it weighs most (root
 * cause and trigger over timeline; lessons and action items not at all), summed against the
 * taxonomy's threshold. Multi-label, strongest first, each with the place of its strongest evidence.
 */
export function failureModes(record: IncidentRecord, zones: Zone[], taxonomy: Taxonomy, title: string | null): Array<Sourced<string> & { score: number }> {
  const out: Array<Sourced<string> & { score: number }> = [];
  const body = record.body;
  const words = wordsOf(record.body, title);
  for (const mode of taxonomy.modes) {
    let score = 0;
    let best: Hit | null = null;
    for (const ev of mode.evidence) {
      if (!words.mayMatch(ev.hints)) continue;
      let top: Hit | null = null;
      // The best contribution per place: a mode the summary, the timeline and the cause all
      // mention is surer than one a single sentence names.
      const perPlace = new Map<EvidencePlace, number>();
      const consider = (place: EvidencePlace, zone: Zone | null, start: number, end: number) => {
        if (ev.sections && !ev.sections.has(place)) return;
        const c = ev.weight * (taxonomy.sectionWeights[place] ?? 0);
        if (c <= 0) return;
        if (c > (perPlace.get(place) ?? 0)) perPlace.set(place, c);
        if (!top || c > top.contribution) top = { contribution: c, zone, start, end };
      };
      if (title) {
        ev.re.lastIndex = 0;
        const m = ev.re.exec(title);
        if (m && !negated(title, m.index)) consider('title', null, -1, -1);
      }
      ev.re.lastIndex = 0;
      for (let m = ev.re.exec(body); m; m = ev.re.exec(body)) {
        if (m[0].length === 0) ev.re.lastIndex++;
        const zone = zoneAt(zones, m.index);
        if (!zone || negated(body, m.index)) continue;
        consider(zone.place, zone, m.index, m.index + m[0].length);
      }
      const hit = top as Hit | null;
      if (hit) {
        const others = [...perPlace.values()].sort((a, b) => b - a).slice(1).reduce((sum, c) => sum + c, 0);
        score += hit.contribution + Math.min(hit.contribution, CORROBORATION * others);
        if (!best || hit.contribution > best.contribution) best = hit;
      }
    }
    if (score >= taxonomy.threshold && best) {
      out.push({
        value: mode.id,
        score: Math.round(score * 100) / 100,
        from: { documentId: record.documentId, section: best.zone?.section ?? null, ...(best.start >= 0 ? { start: best.start, end: best.end } : {}) },
      });
    }
  }
  return out.sort((a, b) => b.score - a.score).slice(0, 5);
}

/** Where a mechanism phrase says most about how it failed. */
const PLACE_ORDER: EvidencePlace[] = ['rootCause', 'trigger', 'symptom', 'title', 'summary', 'impact', 'mitigation', 'detection', 'timeline', 'contributing', 'comments', 'chat'];

/** A few key phrases of how it failed, from the taxonomy's mechanism list, cause sections first. */
export function mechanisms(record: IncidentRecord, zones: Zone[], taxonomy: Taxonomy, title: string | null, max = 5): string[] {
  const found: Array<{ label: string; rank: number; at: number }> = [];
  const words = wordsOf(record.body, title);
  for (const mech of taxonomy.mechanisms) {
    let best: { rank: number; at: number } | null = null;
    for (const { re, hints } of mech.patterns) {
      if (!words.mayMatch(hints)) continue;
      if (title) {
        re.lastIndex = 0;
        if (re.test(title)) best = { rank: PLACE_ORDER.indexOf('title'), at: -1 };
      }
      re.lastIndex = 0;
      for (let m = re.exec(record.body); m; m = re.exec(record.body)) {
        if (m[0].length === 0) re.lastIndex++;
        const zone = zoneAt(zones, m.index);
        if (!zone || negated(record.body, m.index)) continue;
        const rank = PLACE_ORDER.indexOf(zone.place);
        if (rank < 0) continue;
        if (!best || rank < best.rank || (rank === best.rank && m.index < best.at)) best = { rank, at: m.index };
      }
    }
    if (best) found.push({ label: mech.label, ...best });
  }
  return found
    .sort((a, b) => a.rank - b.rank || a.at - b.at)
    .slice(0, max)
    .map((f) => f.label);
}

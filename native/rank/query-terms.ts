/**
 * The weighted terms of an input (a search, a pasted incident, a whole postmortem): indexed terms
 * (the FTS5 stems), function words and clock fragments dropped, weighted by 1 + ln tf, and for a
 * long input only the most telling ones (tf·idf), so that a whole postmortem costs a bounded
 * number of posting lists.
 */
import { idf, type WeightedTerm } from './bm25.js';
import type { Level, TermIndex } from './term-index.js';
import { withoutChatPrefixes } from './input-text.js';
import { indexTerms, porterStem } from './tokenize.js';

// English function words and chat filler: noise for BM25 and, worse, for feedback, where their
// frequency would make them the "expansion". Stemmed like the index, so that the test is one lookup.
const STOP_WORDS = (
  'a about above after again against all also am an and any are as at be because been before being below between both but by ' +
  'can cannot could did do does doing down during each even ever few for from further get gets getting got had has have having ' +
  'he her here hers him his how i if in into is it its itself just let me might more most must my no nor not now of off on once ' +
  'only onto or other our ours out over own per same she should since so some still such than that the their theirs them then ' +
  'there these they this those through to too under until up upon very via was we were what when where which while who whom why ' +
  'will with within without would yet you your yours s t d m ll re ve y o isn aren wasn weren don doesn didn won can couldn ' +
  'shouldn wouldn hasn haven hadn yes yep yeah ok okay oh uh um lol pls plz thx thanks hi hey guys like think maybe seems seem ' +
  'something anyone someone everyone else one two also really actually tho til b4 ppl prob guess ohh ahh tmrw yday'
)
  .split(' ')
  .map((w) => porterStem(w));
const STOP = new Set(STOP_WORDS);

export function isStopTerm(term: string): boolean {
  return STOP.has(term);
}

/** Terms that carry meaning: not a function word, not a lone character, not a 1-2 digit number (clock times, list numbers). */
export function isContentTerm(term: string): boolean {
  if (term.length < 2 || STOP.has(term)) return false;
  return !/^\d{1,2}$/.test(term);
}

export interface InputTerm extends WeightedTerm {
  /** Occurrences in the input. */
  tf: number;
  /** Document frequency in the index (0: the index has never seen it). */
  df: number;
  /** tf·idf salience, with unseen terms at the highest idf (they are what makes an input new). */
  salience: number;
}

/**
 * The input's content terms with their weights and salience, most salient first; at most
 * `maxTerms` (the rest are too common or too rare in the input to change a ranking).
 */
export function inputTerms(index: TermIndex, text: string, maxTerms = 48, level: Level = 'document'): InputTerm[] {
  const tf = new Map<string, number>();
  for (const t of indexTerms(withoutChatPrefixes(text))) if (isContentTerm(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const n = index.count(level);
  const out: InputTerm[] = [];
  for (const [term, count] of tf) {
    const df = index.df(term, level);
    const weight = 1 + Math.log(count);
    out.push({ term, tf: count, df, weight, salience: weight * idf(df, n) });
  }
  out.sort((a, b) => b.salience - a.salience || (a.term < b.term ? -1 : 1));
  return out.slice(0, maxTerms);
}


/**
 * Turning user text into search terms. User input is never handed to FTS5 as query syntax:
 * every term is quoted, so `AND`, `NEAR(`, `col:` or a stray quote are just words.
 */

// Function words that only add noise to BM25 and to highlighting.
const STOPWORDS = new Set(
  ('a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how i if ' +
    'in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she ' +
    'should so some such than that the their theirs them then there these they this those through to too under until up very ' +
    'was we were what when where which while who whom why will with would you your yours also via per onto upon within without across among toward towards again still yet already even ever i\'m it\'s we\'re they\'re don\'t can\'t won\'t isn\'t aren\'t wasn\'t didn\'t doesn\'t').split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}_.'-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu;

export interface ParsedQuery {
  /** Lower-cased words, stopwords removed, de-duplicated, in order. */
  terms: string[];
  /** Phrases the user put in double quotes. */
  phrases: string[];
}

export function parseQuery(input: string, maxTerms = 64): ParsedQuery {
  const phrases: string[] = [];
  const rest = input.replace(/"([^"]{1,200})"/g, (_m, p: string) => {
    const words = tokenize(p);
    if (words.length > 1) phrases.push(words.join(' '));
    return ` ${p} `;
  });
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const w of tokenize(rest)) {
    if (STOPWORDS.has(w) || seen.has(w)) continue;
    seen.add(w);
    terms.push(w);
    if (terms.length >= maxTerms) break;
  }
  return { terms, phrases };
}

/** Words as FTS5's unicode61 tokenizer would see them (it splits on '.', '-', '_' and quotes too). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // match() (strings only), not matchAll (an array per word), and split only the words that hold
  // a separator: similar tokenizes every passage of the incidents it explains.
  for (const word of text.toLowerCase().match(WORD) ?? []) {
    if (!SEPARATOR.test(word)) out.push(word);
    else for (const part of word.split(/[_.'-]+/)) if (part) out.push(part);
  }
  return out;
}

const SEPARATOR = /[_.'-]/;

/** An FTS5 MATCH expression: any term (OR), phrases as quoted phrases. Null when nothing is searchable. */
export function toFtsQuery(q: ParsedQuery): string | null {
  const parts = [...q.phrases.map((p) => `"${p.replace(/"/g, '')}"`), ...q.terms.map((t) => `"${t.replace(/"/g, '')}"`)];
  return parts.length ? parts.join(' OR ') : null;
}

/** A crude stem, only for highlighting words that FTS5's porter stemmer matched. */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length <= 4) return w;
  return w.replace(/(ations?|ings?|edly|ed|ies|es|s|ly|ment|ness|ers?|ions?|ive|able|al|y|e)$/, '') || w;
}

import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexTerms, porterStem, unicode61Tokens } from '../../../native/rank/tokenize.js';
import { CORPUS, SHARED } from '../../support/generated-models.js';

/** The token sequence FTS5 stores for each row, read back through fts5vocab's instance table. */
function fts5Sequences(tokenizer: string, texts: string[]): string[][] {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '${tokenizer}');
           CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);`);
  const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
  db.transaction(() => texts.forEach((x, i) => insert.run(i + 1, x)))();
  const out: string[][] = texts.map(() => []);
  for (const r of db.prepare('SELECT term, doc, "offset" AS o FROM v').iterate() as Iterable<{ term: string; doc: number; o: number }>) {
    out[r.doc - 1]![r.o] = r.term;
  }
  db.close();
  return out;
}

function mismatches(ours: string[][], theirs: string[][]): { tokens: number; wrong: number; examples: string[] } {
  let tokens = 0;
  let wrong = 0;
  const examples: string[] = [];
  ours.forEach((seq, i) => {
    const ref = theirs[i]!;
    const n = Math.max(seq.length, ref.length);
    tokens += ref.length;
    for (let k = 0; k < n; k++) {
      if (seq[k] !== ref[k]) {
        wrong++;
        if (examples.length < 10) examples.push(`row ${i} token ${k}: ours ${JSON.stringify(seq[k])}, fts5 ${JSON.stringify(ref[k])}`);
      }
    }
  });
  return { tokens, wrong, examples };
}

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return corpusFiles(p);
    return name.endsWith('.zip') ? [] : [p];
  });
}

describe('indexTerms matches the FTS5 index (porter unicode61 remove_diacritics 2)', () => {
  it('token for token over every text file of the shared corpus', () => {
    const texts = corpusFiles(CORPUS).map((p) => readFileSync(p, 'utf8'));
    expect(texts.length).toBeGreaterThan(400);
    const result = mismatches(texts.map(indexTerms), fts5Sequences('porter unicode61 remove_diacritics 2', texts));
    expect(result.tokens).toBeGreaterThan(500_000);
    expect(result.examples).toEqual([]);
    expect(result.wrong).toBe(0);
  });

  it('token for token on the evaluation queries (new incidents, exact events)', () => {
    const lines = [join(SHARED, 'eval', 'new-incidents.jsonl'), new URL('../../../eval/symptoms.jsonl', import.meta.url).pathname]
      .flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { query: string }).query);
    expect(lines.length).toBe(65);
    const result = mismatches(lines.map(indexTerms), fts5Sequences('porter unicode61 remove_diacritics 2', lines));
    expect(result.tokens).toBeGreaterThan(2000);
    expect(result.examples).toEqual([]);
  });

  it('on words chosen to exercise every porter rule, accents and scripts', () => {
    const words = [
      'caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned',
      'falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer',
      'conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness',
      'hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical',
      'hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement',
      'adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate',
      'cease controll roll generalizations oscillators Kubernetes OOMKilled NotReady PLEG inotify NXDOMAIN crash-looping',
      'Ünïcödé naïve café Straße İstanbul ﬁle Ⅻ ＡＢＣ ΑΘΗΝΑ σοφία Москва 東京 emoji🙂ok e\u0301e ꙮ 𐐀𐐨 a\u0300b',
      'x'.repeat(70) + 'ing ' + 'é'.repeat(30) + 'ing ' + 'ab cd abc yes ies sss eds oed',
    ];
    const result = mismatches(words.map(indexTerms), fts5Sequences('porter unicode61 remove_diacritics 2', words));
    expect(result.examples).toEqual([]);
  });

  it('classifies and folds every code point as unicode61 does', () => {
    // Each code point between two letters: one token if it is a token character (folded in
    // place, or dropped when it folds to nothing), two tokens if it separates.
    const texts: string[] = [];
    let row: string[] = [];
    for (let c = 1; c < 0x110000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      row.push(`q${String.fromCodePoint(c)}z`);
      if (row.length === 256) {
        texts.push(row.join(' '));
        row = [];
      }
    }
    texts.push(row.join(' '));
    const result = mismatches(texts.map(unicode61Tokens), fts5Sequences('unicode61 remove_diacritics 2', texts));
    expect(result.examples).toEqual([]);
  });
});

describe('porterStem', () => {
  it('stems like the Porter algorithm on classic examples', () => {
    expect(['caresses', 'ponies', 'relational', 'generalizations', 'hopping', 'controll', 'crashing', 'certificates', 'expired'].map(porterStem))
      .toEqual(['caress', 'poni', 'relat', 'gener', 'hop', 'control', 'crash', 'certif', 'expir']);
  });
  it('leaves tokens under 3 or over 64 bytes alone', () => {
    expect(porterStem('is')).toBe('is');
    expect(porterStem(`${'a'.repeat(62)}ing`)).toBe(`${'a'.repeat(62)}ing`);
  });
});

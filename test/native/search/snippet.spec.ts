import { describe, expect, it } from 'vitest';
import { makeSnippet, plainText } from '../../../native/search/snippet.js';

const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `word${from + i}`).join(' ');
const marked = (s: { text: string; highlights: Array<[number, number]> }) => s.highlights.map(([a, b]) => s.text.slice(a, b));

describe('a passage as the plain text a snippet shows', () => {
  it('drops heading and quote marks, emphasis and code ticks; links keep their label', () => {
    expect(plainText('# Title\n> quoted **bold** and __under__ `code` [label](http://x.y "t")')).toBe('Title quoted bold and under code label');
    expect(plainText('  ## Indented heading\n  >  quote')).toBe('Indented heading quote');
  });

  it('drops code fences whole, with their language', () => {
    expect(plainText('Run:\n```ts\nconst x = 1\n```\ndone')).toBe('Run: const x = 1 done');
  });

  it('trims what is left at either end', () => {
    expect(plainText('  Hello world\n\n')).toBe('Hello world');
  });

  it('sets list items apart with a middle dot, not the dashes of their lines', () => {
    // A Jira ticket's field list, as the importer writes it.
    expect(plainText('- **Key**: LF-247\n- **Type**: Task\n  - **Status**: Done\n\n* nested: yes\n+ plus\n1. first\n2) second')).toBe(
      'Key: LF-247 · Type: Task · Status: Done · nested: yes · plus · first · second',
    );
    expect(plainText('Steps:\n- drain the node\n- restart kafka')).toBe('Steps: · drain the node · restart kafka');
    // Not list items: a dash inside a line, a negative number, emphasis at the start of a line.
    expect(plainText('p99 - up from -3 ms\n*really* slow\n-1 retries')).toBe('p99 - up from -3 ms *really* slow -1 retries');
  });

  it('drops table rules and keeps the cells apart', () => {
    expect(plainText('| a | b |\n|---|:---:|\n| 1 | 2 |')).toBe('a | b | | 1 | 2');
  });
});

describe('the snippet of a passage', () => {
  it('marks the words that share a stem with the query, not longer words or one-letter terms', () => {
    const s = makeSnippet('## Heading\n\nThe pod restarted twice; restartingly a restarts.', ['restarting', 'a'], 'H', 'other');
    // The passage's own heading lines are not repeated in its text.
    expect(s.text).toBe('The pod restarted twice; restartingly a restarts.');
    expect(marked(s)).toEqual(['restarted', 'restarts']);
    expect(s).toMatchObject({ heading: 'H', role: 'other' });
    // Up to four letters past the stem still match; two-letter terms count.
    expect(marked(makeSnippet('The db diskette and diskettes.', ['disk', 'db'], '', 'other'))).toEqual(['db', 'diskette']);
  });

  it('shows the window with the most matches, cut at words, with ellipses where it was cut', () => {
    const text = `${filler(0, 20)} broker restarted once. ${filler(20, 30)} the broker restarted, brokers restarting again and the broker restarts. ${filler(50, 40)}`;
    const s = makeSnippet(text, ['broker', 'restarting'], '', 'other');
    // A little context before the first match (15 % of the width), starting at a word.
    expect(s.text.startsWith('… word45 word46 ')).toBe(true);
    expect(s.text.endsWith(' …')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(260 + 4);
    expect(marked(s)).toEqual(['broker', 'restarted', 'brokers', 'restarting', 'broker', 'restarts']);
    // A narrower window still holds the densest run, not the single early match.
    const narrow = makeSnippet(text, ['broker', 'restarting'], '', 'other', 120);
    expect(marked(narrow)).toEqual(['broker', 'restarted', 'brokers', 'restarting', 'broker', 'restarts']);
    expect(narrow.text.startsWith('… word48 word49 the broker')).toBe(true);
    expect(narrow.text).not.toContain('once');
  });

  it('shows a passage that fits whole, however late its match, and marks a match that ends it', () => {
    const text = `${filler(0, 25)} and then the broker restarted.`;
    expect(text.length).toBeLessThan(260);
    const s = makeSnippet(text, ['broker'], '', 'other');
    expect(s.text).toBe(text);
    expect(marked(s)).toEqual(['broker']);
    expect(marked(makeSnippet(`${filler(0, 10)} broker`, ['broker'], '', 'other'))).toEqual(['broker']);
  });

  it('takes the first of two windows with as many matches, and marks nothing outside it', () => {
    const text = `${filler(0, 5)} broker ${filler(5, 60)} broker ${filler(65, 60)}`;
    const s = makeSnippet(text, ['broker'], '', 'other');
    expect(s.text.startsWith('word0 word1 word2 word3 word4 broker ')).toBe(true);
    expect(s.text).not.toContain('word65');
    // The second "broker" is past the window: one mark, inside the text shown.
    expect(s.highlights).toHaveLength(1);
    expect(marked(s)).toEqual(['broker']);
  });

  it('starts a cut window at the beginning of a word', () => {
    // Eleven-character words: the context before the match (15 % of 260 = 39) lands mid-word.
    const text = `${'abcdefghij '.repeat(30)}broker restarted ${'abcdefghij '.repeat(30)}`;
    const s = makeSnippet(text, ['broker'], '', 'other');
    expect(s.text.startsWith('… abcdefghij abcdefghij abcdefghij abcdefghij broker')).toBe(true);
  });

  it("opens at the passage's start when nothing matches (a semantic hit)", () => {
    const s = makeSnippet(filler(0, 80), ['zebra'], '', 'other');
    expect(s.text.startsWith('word0 word1 ')).toBe(true);
    expect(s.text.endsWith(' …')).toBe(true);
    expect(s.highlights).toEqual([]);
    const short = makeSnippet('Only a few words here.', ['zebra'], '', 'other');
    expect(short.text).toBe('Only a few words here.');
  });
});

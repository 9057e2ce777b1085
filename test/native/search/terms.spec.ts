import { describe, expect, it } from 'vitest';
import { isStopword, parseQuery, stem, tokenize, toFtsQuery } from '../../../native/search/terms.js';

describe('search terms from what the user typed', () => {
  it('drops function words from every part of the list, and keeps the words that carry meaning', () => {
    for (const w of ['a', 'the', 'for', 'if', 'in', 'of', 'she', 'was', 'with', 'towards', "doesn't"]) expect(isStopword(w)).toBe(true);
    for (const w of ['kafka', 'outage', 'dns', 'lag']) expect(isStopword(w)).toBe(false);
    expect(parseQuery('the lag in kafka was for hours').terms).toEqual(['lag', 'kafka', 'hours']);
  });

  it('keeps a quoted run of words as a phrase, and one quoted word as a term only', () => {
    expect(parseQuery('"consumer lag" kafka')).toEqual({ phrases: ['consumer lag'], terms: ['consumer', 'lag', 'kafka'] });
    expect(parseQuery('"kafka" lag')).toEqual({ phrases: [], terms: ['kafka', 'lag'] });
  });

  it('stops at the most terms it is given, each once', () => {
    expect(parseQuery('alpha beta alpha gamma delta', 2).terms).toEqual(['alpha', 'beta']);
    expect(parseQuery('alpha beta alpha gamma delta', 3).terms).toEqual(['alpha', 'beta', 'gamma']);
  });

  it("splits words where FTS5's tokenizer does: dots, dashes, underscores and quotes", () => {
    expect(tokenize('pod_name.v2--x  Node-Pool')).toEqual(['pod', 'name', 'v2', 'x', 'node', 'pool']);
    // Words with and without separators side by side, twice (the pattern keeps no state between calls).
    const text = "Kafka's broker-2 at 10.0.3.7 didn't restart; ÉTÉ naïve_user x 42 — end.";
    const expected = ['kafka', 's', 'broker', '2', 'at', '10', '0', '3', '7', 'didn', 't', 'restart', 'été', 'naïve', 'user', 'x', '42', 'end'];
    expect(tokenize(text)).toEqual(expected);
    expect(tokenize(text)).toEqual(expected);
    expect(tokenize('')).toEqual([]);
  });

  it('never lets a quote inside a term or phrase end the quoting', () => {
    expect(toFtsQuery({ phrases: ['c"d e'], terms: ['a"b'] })).toBe('"cd e" OR "ab"');
    expect(toFtsQuery({ phrases: [], terms: [] })).toBeNull();
  });

  it('stems for highlighting: short words as they are, common suffixes off, never to nothing', () => {
    expect(stem('Pods')).toBe('pods');
    expect(stem('does')).toBe('does');
    expect(stem('restarting')).toBe('restart');
    expect(stem('rotation')).toBe('rot');
    expect(stem('rotations')).toBe('rot');
    expect(stem('broker')).toBe('brok');
    expect(stem('brokers')).toBe('brok');
    expect(stem('version')).toBe('vers');
    expect(stem('versions')).toBe('vers');
    expect(stem('ations')).toBe('ations');
  });
});

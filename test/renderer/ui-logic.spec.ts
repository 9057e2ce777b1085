import { describe, expect, it } from 'vitest';
import type { ImportProgress, ImportSummary } from '../../native/contract.js';
import { monthRange, stackMonths } from '../../renderer/src/lib/chart.js';
import { matchCommands, type Command } from '../../renderer/src/lib/commands.js';
import { factValue, localChatTimes, localCommentTimes, ticketFacts } from '../../renderer/src/lib/document-body.js';
import { dateTime, humanMinutes, monthLabel, relativeTime, shortDate } from '../../renderer/src/lib/format.js';
import { segments, termHighlights } from '../../renderer/src/lib/highlight.js';
import { currentText, progressFraction, progressText, summaryProblems, summaryText, summaryTitle } from '../../renderer/src/lib/import-text.js';
import { moveSelection } from '../../renderer/src/lib/list-nav.js';
import { parseRoute, pivotFor, routeHash, type Route } from '../../renderer/src/lib/route.js';

const GB = { locale: 'en-GB', timeZone: 'Europe/London' };
const NY = { locale: 'en-US', timeZone: 'America/New_York' };

describe('snippet highlighting', () => {
  it('splits text into marked and plain runs, ignoring overlapping or out-of-range ranges', () => {
    expect(segments('kafka consumer lag', [[0, 5], [15, 18]])).toEqual([
      { text: 'kafka', mark: true },
      { text: ' consumer ', mark: false },
      { text: 'lag', mark: true },
    ]);
    expect(segments('abc', [[1, 2], [1, 3], [2, 99]])).toEqual([
      { text: 'a', mark: false },
      { text: 'b', mark: true },
      { text: 'c', mark: false },
    ]);
  });

  it('marks shared words as whole words only, whatever their case', () => {
    const text = 'Pool exhausted; the pooler restarted the pool.';
    expect(termHighlights(text, ['pool']).map(([a, b]) => text.slice(a, b))).toEqual(['Pool', 'pool']);
    expect(termHighlights(text, [])).toEqual([]);
  });
});

describe('keyboard navigation of result lists', () => {
  it('moves within bounds', () => {
    expect(moveSelection(-1, 'ArrowDown', 3)).toBe(0);
    expect(moveSelection(2, 'ArrowDown', 3)).toBe(2);
    expect(moveSelection(0, 'ArrowUp', 3)).toBe(0);
    expect(moveSelection(1, 'End', 3)).toBe(2);
    expect(moveSelection(1, 'PageDown', 30)).toBe(6);
    expect(moveSelection(3, 'PageUp', 30)).toBe(0);
    expect(moveSelection(1, 'x', 3)).toBe(1);
    expect(moveSelection(0, 'ArrowDown', 0)).toBe(-1);
  });
});

describe('incidents-per-month chart', () => {
  it('fills every month between the first and the last, across years', () => {
    expect(monthRange(['2023-11', '2024-02'])).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(monthRange([])).toEqual([]);
  });

  it('stacks series per month with offsets and the tallest total', () => {
    const { bars, max } = stackMonths([{ '2024-01': 2, '2024-03': 1 }, { '2024-01': 1 }]);
    expect(bars.map((b) => [b.month, b.total])).toEqual([['2024-01', 3], ['2024-02', 0], ['2024-03', 1]]);
    expect(bars[0]!.parts).toEqual([{ series: 0, count: 2, y0: 0, y1: 2 }, { series: 1, count: 1, y0: 2, y1: 3 }]);
    expect(max).toBe(3);
  });
});

describe('routes: every screen and pivot has an address', () => {
  it('round-trips screens, pivots, sections and chart filters through the URL hash', () => {
    const routes: Route[] = [
      { view: 'document', id: 12 },
      { view: 'document', id: 12, section: 340 },
      { view: 'similar' },
      { view: 'patterns' },
      { view: 'patterns', theme: 4, month: '2024-03' },
      { view: 'imports' },
      { view: 'imports', open: 7 },
      { view: 'settings' },
      { view: 'search', q: 'a b/c & d?' },
      { view: 'search', service: 'payments-gateway', kinds: ['ticket', 'postmortem'] },
      { view: 'search', person: 'Priya Raman' },
      { view: 'search', error: 'x509: certificate has expired' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(parseRoute('#/nonsense')).toEqual({ view: 'search' });
    expect(parseRoute('#/search?kind=bogus&kind=ticket')).toEqual({ view: 'search', kinds: ['ticket'] });
  });

  it('still opens the older #/search/<words> links', () => {
    expect(parseRoute('#/search/kafka%20lag')).toEqual({ view: 'search', q: 'kafka lag' });
    expect(parseRoute('#/search/%E0%A4%A')).toEqual({ view: 'search', q: '%E0%A4%A' });
  });

  it('pivots services, people and errors to their filters, other entities to words', () => {
    expect(pivotFor('service', 'payments-api')).toEqual({ view: 'search', service: 'payments-api' });
    expect(pivotFor('person', 'Lee Chen')).toEqual({ view: 'search', person: 'Lee Chen' });
    expect(pivotFor('error', 'HTTP 503')).toEqual({ view: 'search', error: 'HTTP 503' });
    expect(pivotFor('technology', 'Kafka')).toEqual({ view: 'search', q: 'Kafka' });
  });
});

describe('dates and durations in the user’s locale and zone', () => {
  it('shows a moment in the zone of the user, and a date without a time as that date everywhere', () => {
    // 02:30 UTC on 12 March is still 11 March in New York.
    expect(shortDate('2024-03-12T02:30:00Z', NY)).toBe('Mar 11, 2024');
    expect(shortDate('2024-03-12T02:30:00Z', GB)).toBe('12 Mar 2024');
    // A postmortem dated 2024-03-12 (stored as midnight UTC) is the 12th in New York too.
    expect(shortDate('2024-03-12T00:00:00.000Z', NY)).toBe('Mar 12, 2024');
    expect(shortDate('2024-03-12', NY)).toBe('Mar 12, 2024');
    expect(dateTime('2024-02-07T09:25:00.000Z', NY)).toBe('Feb 7, 2024, 4:25 AM');
    expect(dateTime('2024-02-07T09:25:00.000Z', GB)).toBe('7 Feb 2024, 09:25');
    expect(shortDate(null)).toBe('undated');
    expect(shortDate('not a date')).toBe('undated');
    expect(monthLabel('2024-03', GB)).toBe('Mar 2024');
  });

  it('says how long ago, in words', () => {
    const now = Date.parse('2024-03-12T12:00:00Z');
    expect(relativeTime('2024-03-12T11:57:00Z', now, GB)).toBe('3 minutes ago');
    expect(relativeTime('2024-03-11T12:00:00Z', now, GB)).toBe('yesterday');
  });

  it('formats durations without "24 h"', () => {
    expect(humanMinutes(45)).toBe('45 min');
    expect(humanMinutes(200)).toBe('3 h 20 min');
    expect(humanMinutes(60 * 24 * 3)).toBe('3 days');
    // 12 days 23 h 50 min: once rounded to the hour it is 13 days, never "12 days 24 h".
    expect(humanMinutes(12 * 1440 + 23 * 60 + 50)).toBe('13 days');
    expect(humanMinutes(2 * 1440 + 5 * 60 + 10)).toBe('2 days 5 h');
  });
});

describe('ticket bodies: fields once, times in the user’s zone', () => {
  const body = [
    '# LF-212: Tracking updates delayed',
    '',
    '- **Key**: LF-212',
    '- **Status**: Done',
    '- **Assignee**: Mara Okafor',
    '- **Created**: 2024-02-07T09:25:00.000Z',
    '',
    '## Description',
    '',
    '- **Important**: keep this list item',
    '',
    '## Comments',
    '',
    '**Mara Okafor** 2024-02-07 10:45',
    'Raised max.poll.interval.ms.',
  ].join('\n');

  it('takes the field list that opens a ticket out of its body, and only that', () => {
    const t = ticketFacts(body);
    expect(t.facts).toEqual([
      { label: 'Key', value: 'LF-212' },
      { label: 'Status', value: 'Done' },
      { label: 'Assignee', value: 'Mara Okafor' },
      { label: 'Created', value: '2024-02-07T09:25:00.000Z' },
    ]);
    expect(t.body).not.toContain('**Status**');
    expect(t.body).toContain('# LF-212: Tracking updates delayed');
    expect(t.body).toContain('- **Important**: keep this list item');
    // A body that does not open with fields is left alone.
    expect(ticketFacts('# Title\n\n- **Only**: one\n\ntext').facts).toEqual([]);
  });

  it('formats field times and comment times, and leaves other values as written', () => {
    expect(factValue('2024-02-07T09:25:00.000Z', GB)).toBe('7 Feb 2024, 09:25');
    expect(factValue('Done', GB)).toBe('Done');
    expect(localCommentTimes(body, NY)).toContain('**Mara Okafor** · Feb 7, 2024, 5:45 AM');
  });
});

describe('chat threads: message times in the user’s zone', () => {
  const thread = ['# #inc-tracking: lag', '', '_2024-02-07_', '', '**Sam Ortiz** 23:50', 'lag at 800k', '', '**PagerDuty** [bot] 23:55 (edited)', 'Triggered', '', '_2024-02-08_', '', '**Mara Okafor** 00:10', 'looking'].join('\n');

  it('shows each time in the zone, with a day line where the day changes there', () => {
    // In London (UTC in February) the days are as written.
    const gb = localChatTimes(thread, GB);
    expect(gb).toContain('_7 Feb 2024_');
    expect(gb).toContain('**Sam Ortiz** 23:50');
    expect(gb).toContain('**PagerDuty** [bot] 23:55 (edited)');
    expect(gb).toContain('_8 Feb 2024_');
    expect(gb).toContain('**Mara Okafor** 00:10');
    // In New York all three messages are on the evening of the 7th: one day line.
    const ny = localChatTimes(thread, NY);
    expect(ny).toContain('**Sam Ortiz** 6:50 PM');
    expect(ny).toContain('**Mara Okafor** 7:10 PM');
    expect(ny.match(/^_.*_$/gm)).toEqual(['_Feb 7, 2024_']);
    expect(ny).toContain('lag at 800k');
  });
});

describe('import cards say what is happening', () => {
  const progress = (p: Partial<ImportProgress>): ImportProgress => ({ importId: 1, phase: 'importing', filesTotal: 1, filesDone: 0, filesFailed: 0, documents: 0, chunksEmbedded: 0, currentFile: null, currentRecords: 0, rate: 0, etaSeconds: null, ...p });
  const summary = (s: Partial<ImportSummary>): ImportSummary => ({ importId: 1, status: 'done', filesTotal: 1, filesSeen: 1, filesFailed: 0, skipped: [], byFormat: {}, documentsAdded: 0, documentsUpdated: 0, documentsUnchanged: 0, documentsDuplicate: 0, chunksWritten: 0, chunksEmbedded: 0, semantic: false, errors: [], durationMs: 1, ...s });

  it('reports records inside one big file, without a made-up fraction', () => {
    const p = progress({ currentFile: 'exports/incidents.csv', currentRecords: 1200, documents: 1199 });
    expect(currentText(p)).toBe('exports/incidents.csv · record 1,200');
    expect(progressText(p)).toBe('1,199 documents');
    expect(progressFraction(p)).toBeNull();
    expect(progressFraction(progress({ filesTotal: 4, filesDone: 1 }))).toBe(0.25);
    expect(progressText(progress({ phase: 'waiting', waitingFor: 'an import in process 42' }))).toMatch(/an import in process 42/);
  });

  it('tells a cancelled import from a finished one', () => {
    const cancelled = summary({ status: 'cancelled', documentsAdded: 12 });
    expect(summaryTitle(cancelled)).toBe('Import cancelled');
    expect(summaryText(cancelled)).toBe('Stopped after 12 documents, which are kept');
    expect(summaryText(summary({ status: 'cancelled' }))).toBe('Stopped before any document was written');
    expect(summaryText(summary({ documentsAdded: 3, documentsUnchanged: 2, filesFailed: 1, skipped: [{ source: '.DS_Store', reason: 'hidden file' }] }))).toBe('3 new · 2 unchanged · 1 file failed · 1 skipped');
  });

  it('lists every problem by the file name the user knows, failures first', () => {
    const s = summary({ errors: [{ source: 'broken.pdf', code: 'refused-input', message: 'broken.pdf is not a readable PDF' }, { source: 'jira.csv', record: '17 (OPS-9)', code: 'refused-input', message: 'no summary' }], skipped: [{ source: 'notes/.hidden', reason: 'hidden file' }] });
    expect(summaryProblems(s)).toEqual([
      { outcome: 'failed', source: 'broken.pdf', message: 'broken.pdf is not a readable PDF' },
      { outcome: 'failed', source: 'jira.csv (record 17 (OPS-9))', message: 'no summary' },
      { outcome: 'skipped', source: 'notes/.hidden', message: 'hidden file' },
    ]);
  });
});

describe('command palette matching', () => {
  const cmd = (title: string, keywords?: string): Command => ({ id: title, title, group: 'Go to', keywords, run: () => {} });
  const all = [cmd('Search'), cmd('Settings', 'preferences model database'), cmd('Import files…'), cmd('Reindex', 'embeddings passages')];

  it('finds actions by the start of their words, titles before keywords', () => {
    expect(matchCommands(all, 'se').map((c) => c.title)).toEqual(['Search', 'Settings']);
    expect(matchCommands(all, 'pref').map((c) => c.title)).toEqual(['Settings']);
    expect(matchCommands(all, 'files imp').map((c) => c.title)).toEqual(['Import files…']);
    expect(matchCommands(all, 'embed').map((c) => c.title)).toEqual(['Reindex']);
    expect(matchCommands(all, 'xyz')).toEqual([]);
    expect(matchCommands(all, '')).toHaveLength(4);
  });
});

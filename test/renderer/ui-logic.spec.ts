import { describe, expect, it } from 'vitest';
import { monthRange, stackMonths } from '../../renderer/src/lib/chart.js';
import { humanMinutes, shortDate } from '../../renderer/src/lib/format.js';
import { segments } from '../../renderer/src/lib/highlight.js';
import { moveSelection } from '../../renderer/src/lib/list-nav.js';
import { parseBlocks } from '../../renderer/src/lib/markdown-blocks.js';
import { parseRoute, routeHash } from '../../renderer/src/lib/route.js';

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

describe('Markdown blocks', () => {
  it('parses what postmortems use, without HTML', () => {
    const blocks = parseBlocks('# Title\n\nSome *text*.\n\n- a\n- b\n\n| h1 | h2 |\n| --- | --- |\n| x | y |\n\n```\ncode <script>\n```\n\n> quote');
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph', 'list', 'table', 'code', 'quote']);
    expect(blocks[3]).toEqual({ type: 'table', rows: [['h1', 'h2'], ['x', 'y']] });
    expect(blocks[4]).toEqual({ type: 'code', text: 'code <script>' });
  });
});

describe('routes and formats', () => {
  it('round-trips routes through the URL hash', () => {
    for (const r of [{ view: 'document', id: 12 }, { view: 'similar' }, { view: 'patterns' }, { view: 'search', q: 'a b/c' }] as const) {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }
    expect(parseRoute('#/nonsense')).toEqual({ view: 'search' });
  });

  it('formats dates and durations for people', () => {
    expect(shortDate('2024-03-12T10:00:00Z')).toBe('12 Mar 2024');
    expect(shortDate(null)).toBe('undated');
    expect(humanMinutes(45)).toBe('45 min');
    expect(humanMinutes(200)).toBe('3 h 20 min');
    expect(humanMinutes(60 * 24 * 3)).toBe('3 days');
  });
});

import { describe, expect, it } from 'vitest';
import { padBatch, paddingRatio, planBatches } from '../../../native/embed/batches.js';

describe('batching passages by token count', () => {
  it('puts neighbours in token length together, every passage exactly once', () => {
    const lengths = [300, 12, 140, 13, 299, 141, 11];
    const plan = planBatches(lengths, 3);
    expect(plan).toEqual([[6, 1, 3], [2, 5, 4], [0]]);
    expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
  });

  it('pads far less than the order passages came in', () => {
    const lengths = [300, 12, 140, 13, 299, 141, 11, 12];
    const asGiven = lengths.map((_, i) => i).reduce<number[][]>((b, i) => (i % 2 ? b[b.length - 1]!.push(i) : b.push([i]), b), []);
    expect(paddingRatio(lengths, asGiven)).toBeGreaterThan(1.5);
    expect(paddingRatio(lengths, planBatches(lengths, 2))).toBeLessThan(1.01);
  });

  it('pads input_ids with the pad id and the mask and type ids with 0, to the batch’s longest row', () => {
    const encoded = { input_ids: [[101, 7, 8, 102], [101, 9, 102]], attention_mask: [[1, 1, 1, 1], [1, 1, 1]], token_type_ids: [[0, 0, 0, 0], [0, 0, 0]] };
    const t = padBatch(encoded, [1, 0], 5);
    expect(t.input_ids!.dims).toEqual([2, 4]);
    expect(Array.from(t.input_ids!.data, Number)).toEqual([101, 9, 102, 5, 101, 7, 8, 102]);
    expect(Array.from(t.attention_mask!.data, Number)).toEqual([1, 1, 1, 0, 1, 1, 1, 1]);
    expect(Array.from(t.token_type_ids!.data, Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // A batch of the short row alone is not padded at all.
    expect(padBatch(encoded, [1], 5).input_ids!.dims).toEqual([1, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import { poolAndNormalize } from '../../../native/embed/pooling.js';

describe('pooling token vectors into a passage vector', () => {
  // Two passages of three tokens, two dimensions; the second passage's last token is padding.
  const hidden = new Float32Array([1, 0, 0, 1, 1, 1, /* second */ 2, 0, 4, 0, 100, 100]);
  const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);

  it('averages the tokens the mask keeps (padding never counts)', () => {
    const v = Array.from(poolAndNormalize(hidden, [2, 3, 2], mask, 'mean', false));
    [2 / 3, 2 / 3, 3, 0].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 6));
  });

  it('normalises to unit length', () => {
    const v = poolAndNormalize(hidden, [2, 3, 2], mask, 'mean', true);
    expect(v[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(Array.from(v.subarray(2))).toEqual([1, 0]);
  });

  it('takes the first token for cls pooling', () => {
    expect(Array.from(poolAndNormalize(hidden, [2, 3, 2], mask, 'cls', false))).toEqual([1, 0, 2, 0]);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../native/engine.js';
import type { ParsedDocument } from '../../../../native/import/parsed-document.js';
import { readSource } from '../../../../native/import/read-source.js';
import { NO_MODEL } from '../../../support/generated-models.js';
import { tempDir } from '../../../support/temp.js';

const dir = tempDir();
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => `INC${String(i).padStart(7, '0')},Disk full on db-${i % 40},Closed,2024-03-05 14:22:10,2024-03-05 15:00:00,Group ${i % 7},Agent ${i % 13}`).join('\n');
const HEADER = 'number,short_description,state,opened_at,resolved_at,assignment_group,assigned_to\n';

describe('ticket sources are lazy', () => {
  it('yield the first rows of a CSV before the rest of the file is read', async () => {
    // The file breaks at its very end (an unclosed quote): a reader that parsed it whole first
    // would fail before giving a single document.
    const path = join(dir, 'broken-at-end.csv');
    writeFileSync(path, `${HEADER}${rows(2000)}\nINC9999999,"never closed,Closed\n`);
    const source = await readSource({ path, root: path }, { report: () => {} });
    const seen: ParsedDocument[] = [];
    await expect((async () => {
      for await (const d of source.documents) seen.push(d);
    })()).rejects.toThrow(/broken-at-end\.csv is not a readable CSV file/);
    // (csv-parse reports the error while its last slice's rows may still be buffered.)
    expect(seen.length).toBeGreaterThan(1500);
    expect(seen[0]!.externalId).toBe('INC0000000');
  });

  describe('cancel inside one large export', () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await Engine.open({ dbPath: join(dir, 'lazy.db'), models: NO_MODEL });
    });
    afterAll(() => engine.close());

    it('stops between records, not after the file', async () => {
      const path = join(dir, 'big.csv');
      writeFileSync(path, `${HEADER}${rows(5000)}\n`);
      const abort = new AbortController();
      let abortedAt = 0;
      const summary = await engine.import({ paths: [path] }, {
        signal: abort.signal,
        onProgress: (p) => {
          if (!abortedAt && p.documents >= 20) {
            abortedAt = performance.now();
            abort.abort();
          }
        },
      });
      expect(abortedAt).toBeGreaterThan(0);
      expect(performance.now() - abortedAt).toBeLessThan(1000);
      expect(summary.documentsAdded).toBeGreaterThanOrEqual(20);
      expect(summary.documentsAdded).toBeLessThan(5000);
    });
  });
});

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

const DEMO = fileURLToPath(new URL('../../../demo/', import.meta.url));

describe('browse: what a pivot opens (filters, no words)', () => {
  const dir = tempDir();
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.open({ dbPath: join(dir, 'b.db'), models: NO_MODEL });
    await api.import({ paths: [DEMO] });
  });
  afterAll(() => api.close());

  it('lists every document naming a service, newest first, each with the opening of its text', async () => {
    const r = await api.invoke('browse', { service: 'payments-gateway' });
    expect(r.total).toBeGreaterThan(1);
    expect(r.hits).toHaveLength(r.total);
    for (const h of r.hits) {
      const doc = (await api.show(h.documentId))!;
      expect(doc.entities.some((e) => e.type === 'service' && e.name === 'payments-gateway')).toBe(true);
      expect(h.snippets[0]!.text.length).toBeGreaterThan(10);
      expect(h.snippets[0]!.text.length).toBeLessThanOrEqual(261);
      // Words to read, not Markdown: no bold marks, no heading repeating the title, no ticket field list.
      expect(h.snippets[0]!.text).not.toMatch(/\*\*|^#|Key: /);
    }
    const dates = r.hits.map((h) => h.occurredAt ?? '');
    expect(dates).toEqual([...dates].sort().reverse());
    // The same documents a word search restricted to the service can reach, and no others.
    const all = (await api.stats()).documents;
    expect(r.total).toBeLessThan(all);
  });

  it('combines filters (a person, a kind) and limits', async () => {
    const tickets = await api.invoke('browse', { kinds: ['ticket'], limit: 2 });
    expect(tickets.hits.map((h) => h.kind)).toEqual(['ticket', 'ticket']);
    expect(tickets.total).toBeGreaterThan(2);
    const person = await api.invoke('browse', { person: 'Priya Raman' });
    expect(person.total).toBeGreaterThan(0);
    const none = await api.invoke('browse', { service: 'no-such-service-anywhere' });
    expect(none).toMatchObject({ total: 0, hits: [] });
  });
});

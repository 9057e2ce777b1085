import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../native/engine.js';
import { IncidentViews } from '../../../native/incidents/view.js';
import { findSimilar } from '../../../native/similar/similar.js';
import type { Store } from '../../../native/store/store.js';
import type * as ReadInput from '../../../native/similar/read-input.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { tempDir } from '../../support/temp.js';

// Every text textInput reads, in order (the module is wrapped, not replaced).
const read = vi.hoisted(() => [] as string[]);
vi.mock('../../../native/similar/read-input.js', async (original) => {
  const m = await original<typeof ReadInput>();
  return { ...m, textInput: (text: string, taxonomy: Parameters<typeof m.textInput>[1]) => (read.push(text), m.textInput(text, taxonomy)) };
});

const dir = tempDir();

/** The store with every call of the named operations counted. */
function counted(store: Store, names: string[], calls: Map<string, number>): Store {
  return new Proxy(store, {
    get(target, area) {
      const part = Reflect.get(target, area) as object;
      if (!part || typeof part !== 'object') return part;
      return new Proxy(part, {
        get(o, op) {
          const f = Reflect.get(o, op) as unknown;
          const name = `${String(area)}.${String(op)}`;
          if (typeof f !== 'function' || !names.includes(name)) return f;
          return (...args: unknown[]) => {
            calls.set(name, (calls.get(name) ?? 0) + 1);
            return (f as (...a: unknown[]) => unknown).apply(o, args);
          };
        },
      });
    },
  });
}

describe('what similar reads', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ dbPath: join(dir, 'reads.db'), models: NO_MODEL });
    await engine.import({ paths: [join(CORPUS, 'postmortems', 'dfds')] });
  });
  afterAll(() => engine.close());

  it('explains the incidents shown with one read of entities, passages and links for all of them', async () => {
    const calls = new Map<string, number>();
    const ops = ['entities.ofDocuments', 'passages.ofDocuments', 'incidents.get'];
    const store = counted(engine.store, ops, calls);
    const text = 'Kubernetes nodes ran out of IP addresses and pods were stuck pending; services returned 503';
    const input = (await import('../../../native/similar/read-input.js')).textInput(text, engine.taxonomy);
    const direct = await engine.similar({ text, limit: 6 });
    const r = await findSimilar({ store, ranker: engine.ranker, views: new IncidentViews(store, () => engine.taxonomy), semantic: false }, input, { limit: 6 });
    expect(r.incidents.length).toBeGreaterThanOrEqual(4);
    // The same explanations as through the engine, each with its passage pairs.
    expect(r.incidents).toEqual(direct.incidents);
    expect(r.incidents.filter((i) => i.passages.length).length).toBeGreaterThanOrEqual(4);
    // Once for all the incidents shown, not once per incident (incidents.get: the shown rows, then their links).
    expect(calls.get('entities.ofDocuments')).toBe(1);
    expect(calls.get('passages.ofDocuments')).toBe(1);
    expect(calls.get('incidents.get')).toBe(2);
  });

  it('reads a pasted text once, for its input and the ranker\'s failure modes; another text is read for itself', async () => {
    const text = 'Kafka metrics are missing from Prometheus after the deploy; the exporter pod is crash looping';
    read.length = 0;
    const r = await engine.similar({ text, limit: 3 });
    expect(r.incidents.length).toBeGreaterThan(0);
    expect(read.filter((t) => t === text)).toHaveLength(1);
    // The ranker asked about another text (not the last one similar read) reads that one.
    const other = 'All services return 503 in Kubernetes after the ingress controller restarted';
    await engine.ranker.rank({ text: other, passages: [], exclude: new Set(), limit: 5 });
    expect(read.filter((t) => t === other)).toHaveLength(1);
    // The same text again is read again: each call's input is its own.
    await engine.similar({ text, limit: 3 });
    expect(read.filter((t) => t === text)).toHaveLength(2);
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../native/engine.js';
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
const pm = (name: string) => join(CORPUS, 'postmortems', 'dfds', name);

describe('similar reads a pasted text once', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ dbPath: join(dir, 'once.db'), models: NO_MODEL });
    await engine.import({ paths: [pm('PM2022-004_-_Kafka_metrics_missing_from_Prometheus.md'), pm('PM2021-006_-_All_services_returning_503_in_Kubernetes.md')] });
  });
  afterAll(() => engine.close());

  it('for its input and the ranker\'s failure modes alike; another text is read for itself', async () => {
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

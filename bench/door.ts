/**
 * What the one door costs (issue 9: < 5 % on search and similar latency): the same engine, called
 * through EngineService.invoke (parsing with the contract's schema, the handler table, the
 * timeout, the call's cancellation, error mapping) and called directly with the request parsed
 * beforehand, so that everything the door adds is on its side.
 *
 * Trustworthy on a shared machine:
 *  - one engine for both sides (the one behind the door): two engines over one file differ in
 *    their caches and background jobs, which is not the door;
 *  - the same queries, warmed on both sides, and the corpus model the first ranking starts
 *    trained before anything is timed (it runs on the other core while it trains);
 *  - door and direct calls alternate pair by pair, and which goes first alternates too;
 *  - each call timed in wall time and in the process's CPU time (other processes' load is not in
 *    it); the ratio of medians is printed with a bootstrap interval over the pairs;
 *  - the door's fixed cost alone: a call that does nothing (`appInfo`) through `invoke`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../native/engine.js';
import { EngineService } from '../native/service/engine-service.js';
import { parseInput } from '../native/service/validation.js';
import { median, ratioInterval } from './stats.js';
import { writeSyntheticCorpus } from './synthetic.js';

const NO_MODEL = { roots: [] as string[], preferred: 'gte-small', allowUnverified: false };

/** The queries both sides answer (synthetic postmortems: each finds something). */
export const DOOR_QUERIES = ['kafka consumer lag', 'certificate expired', 'database connection pool exhausted', 'node not ready', 'dns resolution failed', 'disk full on build agents', 'deploy rolled back', 'rate limit 429', 'oom killed pods', 'load balancer 503'];

type Method = 'search' | 'similar';
interface Sides {
  door: { wall: number[]; cpu: number[] };
  direct: { wall: number[]; cpu: number[] };
}

const similarText = (q: string) => `${q} again, for the second time this month`;
const searchInput = (q: string) => ({ query: q, limit: 20 });
const similarInput = (q: string) => ({ text: similarText(q), limit: 10 });

async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const u = process.cpuUsage(c);
  return { wall, cpu: (u.user + u.system) / 1000 };
}

/**
 * Prints the door's cost on `service`'s own engine; `line(label, value)` prints one figure,
 * `similarWall` (if given) receives the timed similar calls through the door.
 */
export async function benchDoor(service: EngineService, queries: string[], o: { rounds: number; line: (label: string, value: string) => void; similarWall?: number[] }): Promise<void> {
  const engine: Engine = await service.openEngine();
  const calls: Record<Method, { door: (q: string) => Promise<unknown>; direct: (q: string) => () => Promise<unknown> }> = {
    search: {
      door: (q) => service.invoke('search', searchInput(q)),
      direct: (q) => {
        const req = parseInput('search', searchInput(q));
        return () => engine.search(req);
      },
    },
    similar: {
      door: (q) => service.invoke('similar', similarInput(q)),
      direct: (q) => {
        const req = parseInput('similar', similarInput(q));
        return () => engine.similar(req);
      },
    },
  };
  // Warm both sides on every query (term statistics, statement caches, the page cache), let the
  // corpus model the first ranking may start finish, then warm again.
  for (let pass = 0; pass < 2; pass++) {
    for (const q of queries) {
      for (const m of ['search', 'similar'] as const) {
        await calls[m].door(q);
        await calls[m].direct(q)();
      }
    }
    await engine.corpusModelIdle();
  }

  const figures: Record<Method, Sides> = {
    search: { door: { wall: [], cpu: [] }, direct: { wall: [], cpu: [] } },
    similar: { door: { wall: [], cpu: [] }, direct: { wall: [], cpu: [] } },
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const [i, q] of queries.entries()) {
      for (const m of ['search', 'similar'] as const) {
        const direct = calls[m].direct(q);
        const sides = [
          async () => push(figures[m].door, await timed(() => calls[m].door(q))),
          async () => push(figures[m].direct, await timed(direct)),
        ];
        if ((round + i) % 2) sides.reverse();
        for (const side of sides) await side();
      }
    }
  }

  o.similarWall?.push(...figures.similar.door.wall);
  for (const m of ['search', 'similar'] as const) {
    const { door, direct } = figures[m];
    const [lo, hi] = ratioInterval(door.wall, direct.wall);
    o.line(
      `${m} through the door vs the engine (p50)`,
      `${median(door.wall).toFixed(2)} vs ${median(direct.wall).toFixed(2)} ms: ×${(median(door.wall) / median(direct.wall)).toFixed(3)} (95 % ×${lo.toFixed(3)}–×${hi.toFixed(3)}, ${door.wall.length} pairs; target < ×1.05)`,
    );
    const [clo, chi] = ratioInterval(door.cpu, direct.cpu);
    o.line(`  the same in CPU time (p50)`, `${median(door.cpu).toFixed(2)} vs ${median(direct.cpu).toFixed(2)} CPU-ms: ×${(median(door.cpu) / median(direct.cpu)).toFixed(3)} (95 % ×${clo.toFixed(3)}–×${chi.toFixed(3)})`);
  }

  // The door alone: a call whose handler does nothing, many times (warm first).
  const N = 20_000;
  for (let i = 0; i < 2_000; i++) await service.invoke('appInfo', {});
  const floor = await timed(async () => {
    for (let i = 0; i < N; i++) await service.invoke('appInfo', {});
  });
  const perCall = floor.cpu / N;
  o.line('the door alone (appInfo through invoke)', `${((floor.wall * 1000) / N).toFixed(1)} µs wall, ${(perCall * 1000).toFixed(1)} µs CPU a call (${N.toLocaleString()} calls)`);
  // The door's fixed cost against the work it fronts: what the end-to-end ratios above cannot
  // resolve on a loaded machine (their intervals are wider than the door).
  for (const m of ['search', 'similar'] as const) {
    o.line(`  as a share of ${m} (direct p50 CPU)`, `×${(1 + perCall / median(figures[m].direct.cpu)).toFixed(4)}`);
  }
}

function push(side: { wall: number[]; cpu: number[] }, t: { wall: number; cpu: number }): void {
  side.wall.push(t.wall);
  side.cpu.push(t.cpu);
}

/** `--only door`: the comparison alone, on a small synthetic corpus that is quick to build (lexical). */
export async function benchDoorSection(work: string, chunks: number, rounds: number): Promise<void> {
  console.log(`\nDoor. What the one door costs: synthetic corpus of ${chunks.toLocaleString()} passages, lexical, ${rounds} rounds of ${DOOR_QUERIES.length} queries`);
  const corpus = join(work, 'door-corpus');
  mkdirSync(corpus, { recursive: true });
  await writeSyntheticCorpus(corpus, chunks);
  const dbPath = join(work, 'door.db');
  const built = await Engine.open({ dbPath, models: NO_MODEL });
  await built.import(parseInput('startImport', { paths: [corpus] }));
  await built.close();
  const service = await EngineService.open({ dbPath, shell: 'browser', version: 'bench', models: NO_MODEL, eager: true }, () => {});
  await benchDoor(service, DOOR_QUERIES, { rounds, line: (label, value) => console.log(`  ${label.padEnd(52)} ${value}`) });
  await service.close();
}

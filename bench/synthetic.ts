/** Synthetic data for the benchmarks, built from the real corpus so that its statistics are real. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkMarkdown } from '../native/chunk/chunker.js';
import { titleOf } from '../native/import/document-facts.js';
import { splitFrontMatter } from '../native/import/front-matter.js';
import { walkPaths } from '../native/import/walk.js';
import { CORPUS } from '../test/support/generated-models.js';

/** Seeded PRNG so that synthetic data and query sets are the same on every run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic postmortems made of real sentences: every section is filled with sentences drawn
 * (seeded) from the same kind of section across ../shared/corpus/postmortems, so that term
 * frequencies, passage lengths and section structure are those of real postmortems.
 */
export async function writeSyntheticCorpus(dir: string, chunks: number): Promise<number> {
  const r = rng(42);
  const pools = new Map<string, string[]>();
  const titles: string[] = [];
  const { files } = await walkPaths([join(CORPUS, 'postmortems')]);
  for (const f of files) {
    if (!f.path.endsWith('.md')) continue;
    const { body } = splitFrontMatter(readFileSync(f.path, 'utf8'));
    titles.push(titleOf({}, body, f.path));
    for (const c of chunkMarkdown(body)) {
      const sentences = c.text.replace(/^#+ .*$/gm, '').split(/(?<=[.!?])\s+|\n+/).map((x) => x.trim()).filter((x) => x.length > 20);
      const pool = pools.get(c.role) ?? [];
      pool.push(...sentences);
      pools.set(c.role, pool);
    }
  }
  const roles = ['summary', 'impact', 'timeline', 'root_cause', 'trigger', 'detection', 'resolution', 'action_items', 'lessons', 'contributing_factors'];
  const headings: Record<string, string> = { summary: 'Summary', impact: 'Impact', timeline: 'Timeline', root_cause: 'Root cause', trigger: 'Trigger', detection: 'Detection', resolution: 'Resolution', action_items: 'Action items', lessons: 'Lessons learned', contributing_factors: 'Contributing factors' };
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const docs = Math.ceil(chunks / roles.length);
  mkdirSync(dir, { recursive: true });
  for (let d = 0; d < docs; d++) {
    const day = new Date(Date.UTC(2015, 0, 1) + d * 3_600_000 * 9).toISOString().slice(0, 10);
    const body = roles.map((role) => {
      const pool = pools.get(role)?.length ? pools.get(role)! : pools.get('other')!;
      return `## ${headings[role]}\n\n${Array.from({ length: 4 + Math.floor(r() * 6) }, () => pick(pool)).join(' ')}`;
    }).join('\n\n');
    writeFileSync(join(dir, `pm-${String(d).padStart(6, '0')}.md`), `---\ndate: ${day}\n---\n# ${pick(titles)} (${d})\n\n${body}\n`);
  }
  return docs;
}

/** A Slack export of `messages` messages over channels and days, a third of them in threads. */
export function writeSlackExport(dir: string, messages: number, sentences: string[]): void {
  const r = rng(7);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const channels = Array.from({ length: 20 }, (_, i) => ({ id: `C${String(i).padStart(8, '0')}`, name: i < 8 ? `incident-${i}` : `team-${i}` }));
  const users = Array.from({ length: 200 }, (_, i) => ({ id: `U${String(i).padStart(8, '0')}`, name: `user${i}`, team_id: 'T0BENCH' }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  const days = 365;
  const perDay = Math.ceil(messages / (channels.length * days));
  for (const c of channels) {
    mkdirSync(join(dir, c.name));
    let t = Date.UTC(2023, 0, 1) / 1000;
    for (let d = 0; d < days; d++) {
      const out: object[] = [];
      let parent: string | null = null;
      for (let m = 0; m < perDay; m++) {
        t += 60 + Math.floor(r() * 1800);
        const ts = `${t}.${String(m).padStart(6, '0')}`;
        const reply = parent && r() < 0.35;
        const msg: Record<string, unknown> = { type: 'message', user: pick(users).id, text: `${pick(sentences)} <@${pick(users).id}>`, ts };
        if (reply) msg.thread_ts = parent;
        else if (r() < 0.2) {
          parent = ts;
          msg.thread_ts = ts;
        }
        out.push(msg);
      }
      writeFileSync(join(dir, c.name, `${new Date((Date.UTC(2023, 0, 1) / 1000 + d * 86400) * 1000).toISOString().slice(0, 10)}.json`), JSON.stringify(out));
    }
  }
}


/** Sentences of the real postmortems (for synthetic chat messages). */
export async function realSentences(): Promise<string[]> {
  const sentences: string[] = [];
  const { files } = await walkPaths([join(CORPUS, 'postmortems')]);
  for (const f of files) if (f.path.endsWith('.md')) sentences.push(...readFileSync(f.path, 'utf8').split(/(?<=[.!?])\s+/).filter((x) => x.length > 20 && x.length < 300));
  return sentences;
}

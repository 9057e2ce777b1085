import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, ensureTinyModel } from '../../support/generated-models.js';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir();
const db = join(dir, 'cli.db');
const k8s = join(CORPUS, 'postmortems/kubernetes-test-infra');

describe('hindsight CLI', () => {
  it('imports with --json: one object on stdout, exit 0, and says once that search is lexical', () => {
    const r = runCli(['--db', db, 'import', k8s, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ filesSeen: 6, filesFailed: 0, documentsAdded: 5, semantic: false, errors: [], byFormat: { markdown: 5 } });
    expect(summary.skipped).toHaveLength(1);
    expect(r.stderr.match(/Semantic search is off/g)).toHaveLength(1);
    expect(r.stderr).toContain('hindsight model fetch');
  });

  it('exits 2 when some files fail, naming them, and imports the rest', () => {
    const folder = join(dir, 'mixed');
    mkdirSync(folder);
    writeFileSync(join(folder, 'ok.md'), '# Fine\n\nDisk full on the build agents.');
    writeFileSync(join(folder, 'bad.pdf'), 'not a pdf at all');
    const r = runCli(['--db', db, 'import', folder, '--json', '--quiet']);
    expect(r.code).toBe(2);
    const s = JSON.parse(r.stdout);
    expect(s.documentsAdded).toBe(1);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0].source).toBe(join(folder, 'bad.pdf'));
    expect(r.stderr).toBe('');
  });

  it('exits 64 on a usage error with one readable line and a hint, never a schema dump', () => {
    const r = runCli(['--db', db, 'search']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/missing required argument 'query'/);
    const bad = runCli(['--db', db, 'search', 'x', '--limit', 'lots']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^hindsight: --limit must be a number \(got "lots"\)\.$/m);
    const unknown = runCli(['--db', db, 'frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(unknown.stderr).toMatch(/hindsight --help/);
    for (const x of [r, bad, unknown]) expect(x.stderr).not.toMatch(/ZodError|"code":|at .*\.ts:\d+/);
  });

  it('gives a usage error alone: no note about the missing model before it', () => {
    // The note is for a command that runs; one refused for its input never searched anything.
    for (const [args, message] of [
      [['similar', '--text', 'x', '--limit', '999'], 'hindsight: --limit must be between 1 and 100 (got 999).'],
      [['search', 'x', '--since', 'yesterday'], 'hindsight: --since must be a date such as 2024-03-31 or 2024-03-31T14:00Z (got "yesterday").'],
      [['experts', '--text', 'x', '--limit', '0'], 'hindsight: --limit must be between 1 and 100 (got 0).'],
    ] as const) {
      const r = runCli(['--db', db, ...args]);
      expect(r.code).toBe(64);
      expect(r.stderr.trim().split('\n')).toEqual([message]);
    }
    // A command that runs still says it once.
    const ok = runCli(['--db', db, 'similar', '--text', 'prow outage', '--limit', '2', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr.match(/Semantic search is off/g)).toHaveLength(1);
  });

  it('searches with --json: every hit names id, title, kind, score and source', () => {
    const r = runCli(['--db', db, 'search', 'prow outage', '--limit', '3', '--json', '-q']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('lexical');
    expect(out.hits).toHaveLength(3);
    for (const h of out.hits) {
      expect(h).toEqual(expect.objectContaining({ documentId: expect.any(Number), title: expect.any(String), kind: 'postmortem', score: expect.any(Number) }));
      expect(h.source.startsWith(k8s)).toBe(true);
    }
  });

  it('prints readable results with highlighted snippets', () => {
    const r = runCli(['--db', db, 'search', 'boskos', '-q']);
    expect(r.stdout).toMatch(/1\. March 26th, 2019 Boskos Outage/);
    expect(r.stdout).toMatch(/\[Boskos\]/);
  });

  it('filters by --kind and --since', () => {
    const none = JSON.parse(runCli(['--db', db, 'search', 'prow', '--kind', 'ticket', '--json', '-q']).stdout);
    expect(none.hits).toEqual([]);
    const since = JSON.parse(runCli(['--db', db, 'search', 'prow', '--since', '2019-03-01', '--json', '-q']).stdout);
    for (const h of since.hits) expect(h.occurredAt >= '2019-03-01').toBe(true);
    expect(runCli(['--db', db, 'search', 'prow', '--kind', 'tweet']).stderr).toMatch(/--kind must be one of/);
  });

  // Four CLI processes, one embedding every passage: 24 s at a load of 8, over 60 s with two
  // benchmarks beside it.
  it('reports stats, then embeds the backlog once a model appears (reindex)', { timeout: 180_000 }, () => {
    const stats = JSON.parse(runCli(['--db', db, 'stats', '--json']).stdout);
    expect(stats).toMatchObject({ documents: 6, byKind: { postmortem: 6 }, model: { state: 'absent' } });
    expect(stats.index.pending).toBe(stats.chunks);
    const env = { HINDSIGHT_MODEL_DIR: ensureTinyModel(join(dir, 'models')), HINDSIGHT_ALLOW_UNVERIFIED_MODEL: '1' };
    const re = runCli(['--db', db, 'reindex', '--json'], env);
    expect(re.code).toBe(0);
    expect(JSON.parse(re.stdout).embedded).toBe(stats.chunks);
    const after = JSON.parse(runCli(['--db', db, 'stats', '--json'], env).stdout);
    expect(after.index).toMatchObject({ embedded: stats.chunks, pending: 0 });
    expect(after.model).toMatchObject({ state: 'ready', verified: false });
    const hybrid = JSON.parse(runCli(['--db', db, 'search', 'prow outage', '--json'], env).stdout);
    expect(hybrid.mode).toBe('hybrid');
  });

  it('refuses a database from a newer Hindsight', async () => {
    const Database = (await import('better-sqlite3')).default;
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.pragma('user_version = 9999');
    raw.close();
    const r = runCli(['--db', path, 'stats']);
    expect(r.code).toBe(74);
    expect(r.stderr).toMatch(/newer version of Hindsight/);
    expect(r.stderr).toMatch(/Update Hindsight to open it/);
  });

  it('prints help', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: hindsight \[options\] \[command\]/);
    for (const c of ['import', 'search', 'similar', 'patterns', 'experts', 'show', 'stats', 'reindex', 'serve', 'model']) expect(r.stdout).toContain(c);
    const sub = runCli(['search', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--since <date>/);
  });
});

describe('hindsight CLI: exports, show, similar, patterns, experts', () => {
  const db2 = join(dir, 'cli2.db');
  const pms = join(CORPUS, 'postmortems/dfds');

  it('imports the Slack ZIP, shows its channel list first, and filters channels', () => {
    const zip = join(CORPUS, 'slack/slack-export-viewer-testarchive.zip');
    const r = runCli(['--db', db2, 'import', zip, '--channels', 'enrique', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Slack export .*testarchive\.zip: importing 1 of 2 channels/);
    expect(r.stderr).toMatch(/\+ #enrique .*- #traveling-sailor/);
    const s = JSON.parse(r.stdout);
    expect(s.byFormat.slack).toBeGreaterThan(0);
    const stats = JSON.parse(runCli(['--db', db2, 'stats', '--json']).stdout);
    expect(stats.byKind['slack-thread']).toBe(s.byFormat.slack);
  });

  it('lists a Slack folder\'s channels with their days, a single day in the singular', () => {
    const r = runCli(['--db', join(dir, 'channels.db'), 'import', 'demo/slack', '--channels', 'inc-*', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\+ #inc-payments \(1 day\)/);
    expect(r.stderr).toMatch(/\+ #inc-tracking \(2 days\)/);
    expect(r.stderr).toMatch(/- #ops \(/);
  });

  // Five CLI processes under tsx, an import of 40 write-ups among them: ~12 CPU-s, so on two
  // shared cores at a load of 17 it outlasted the default 60 s (seen once; it passes in 19 s at 10).
  it('shows a document with entities and links', { timeout: 180_000 }, () => {
    runCli(['--db', db2, 'import', pms, '-q']);
    const hit = JSON.parse(runCli(['--db', db2, 'search', 'CoreDNS upgrade', '--json', '-q']).stdout).hits[0];
    const r = runCli(['--db', db2, 'show', String(hit.documentId)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CoreDNS upgrade issue/);
    expect(r.stdout).toMatch(/Entities\n[\s\S]*technology +.*CoreDNS/);
    const json = JSON.parse(runCli(['--db', db2, 'show', String(hit.documentId), '--json']).stdout);
    expect(json.sections.length).toBeGreaterThan(2);
    expect(runCli(['--db', db2, 'show', '99999']).stderr).toMatch(/no document #99999/);
  });

  it('answers similar with a verdict and explanations', () => {
    const r = runCli(['--db', db2, 'similar', '--text', 'Kafka metrics missing from Prometheus', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^RECURRING /);
    expect(r.stdout).toMatch(/1\. Kafka metrics/);
    expect(r.stdout).toMatch(/Mitigated by: /);
    expect(r.stdout).toMatch(/What fixed them/);
    const json = JSON.parse(runCli(['--db', db2, 'similar', '--text', 'Kafka metrics missing from Prometheus', '--json', '-n', '2']).stdout);
    expect(json.incidents).toHaveLength(2);
    expect(json.incidents[0].score).toEqual(expect.objectContaining({ lexical: expect.any(Number), entities: expect.any(Number), coverage: expect.any(Number) }));
    expect(json.incidents[0].incident).toEqual(expect.objectContaining({ incidentId: expect.any(Number), records: expect.any(Array) }));
    const none = runCli(['--db', db2, 'similar']);
    expect(none.stderr).toMatch(/Give exactly one of --text, --file or --id\./);
    expect(none.code).toBe(64);
  });

  it('prints patterns and experts', () => {
    const p = JSON.parse(runCli(['--db', db2, 'patterns', '--json']).stdout);
    expect(p.incidents).toBeGreaterThan(39);
    expect(p.patterns.length).toBeGreaterThan(2);
    const e = runCli(['--db', db2, 'experts', '--text', 'Kafka metrics missing', '--json']);
    expect(e.code).toBe(0);
    expect(Array.isArray(JSON.parse(e.stdout).experts)).toBe(true);
  });
});

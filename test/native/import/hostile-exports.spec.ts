import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { buildZip } from '../../support/zip-writer.js';
import { tempDir } from '../../support/temp.js';
import { NO_MODEL } from '../../support/generated-models.js';

const slackMeta = [
  { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'ops' }]) },
  { name: 'users.json', data: JSON.stringify([{ id: 'U1', name: 'ann' }]) },
];
const day = { name: 'ops/2024-01-01.json', data: JSON.stringify([{ user: 'U1', text: 'disk full on build agents', ts: '1704100000.000100' }]) };

/**
 * Exports are the attack surface: each of these must fail alone, with an error that names the
 * file, and leave the database exactly as it was.
 */
const CATALOGUE: Array<{ name: string; data: () => Buffer | string; code: RegExp; message: RegExp }> = [
  { name: 'slip.zip', data: () => buildZip([...slackMeta, { name: '../../outside/evil.json', data: '[]' }]), code: /unsafe-archive/, message: /outside|escapes/ },
  { name: 'absolute.zip', data: () => buildZip([...slackMeta, { name: '/etc/cron.d/evil.json', data: '[]' }]), code: /unsafe-archive/, message: /outside|escapes/ },
  { name: 'symlink.zip', data: () => buildZip([...slackMeta, { name: 'ops/2024-01-02.json', data: '/etc/passwd', symlink: true, store: true }]), code: /unsafe-archive/, message: /symbolic link/ },
  { name: 'encrypted.zip', data: () => buildZip([...slackMeta, { name: 'ops/2024-01-02.json', data: '[]', encrypted: true, store: true }]), code: /encrypted/, message: /encrypted/ },
  { name: 'bomb.zip', data: () => buildZip([...slackMeta, { name: 'ops/2024-01-02.json', data: Buffer.alloc(64 * 1024 * 1024, 0x20) }]), code: /zip-bomb/, message: /zip bomb/ },
  { name: 'truncated.zip', data: () => buildZip([...slackMeta, day]).subarray(0, 200), code: /bad-archive/, message: /not a readable ZIP/ },
  { name: 'other.zip', data: () => buildZip([{ name: 'notes.txt', data: 'hello' }, { name: 'inner.zip', data: buildZip([day]) }]), code: /unsupported/, message: /neither a Slack export/ },
  { name: 'truncated.json', data: () => '{"issues": [{"key": "OPS-1", "fields": {"summary": "cut', code: /bad-json/, message: /not valid JSON/ },
  { name: 'deep.json', data: () => '['.repeat(200_000) + ']'.repeat(200_000), code: /bad-json|unsupported/, message: /nested too deeply|not a known export/ },
  { name: 'laughs.xml', data: () => `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rss><channel><item><key>&lol2;</key></item></channel></rss>`, code: /unsafe-xml/, message: /declares XML entities/ },
  { name: 'external.xml', data: () => `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><item><key>&xxe;</key></item></channel></rss>`, code: /unsafe-xml/, message: /declares XML entities/ },
  { name: 'broken.xml', data: () => '<rss version="0.92"><channel><title>Jira</title><item><key>OPS-1</key><summary>x</item></channel></rss>', code: /bad-xml/, message: /not well-formed XML/ },
  { name: 'huge-field.csv', data: () => `Summary,Issue key,Description\n"x",OPS-1,"${'a'.repeat(1_200_000)}"\n`, code: /bad-csv/, message: /not a readable CSV/ },
  { name: 'unclosed.csv', data: () => 'Summary,Issue key,Description\n"never closed,OPS-1,x\n', code: /bad-csv/, message: /not a readable CSV/ },
  { name: 'unknown.csv', data: () => 'a,b,c\n1,2,3\n', code: /unsupported/, message: /--map title=/ },
];

describe('hostile exports', () => {
  const dir = tempDir();
  const files = join(dir, 'in');
  let engine: TestApi;
  beforeAll(async () => {
    mkdirSync(files);
    engine = await TestApi.open({ dbPath: join(dir, 'h.db'), models: NO_MODEL });
    // Something already stored, which no failed import may touch.
    writeFileSync(join(files, 'ok.zip'), buildZip([...slackMeta, day]));
    const s = await engine.import({ paths: [join(files, 'ok.zip')] });
    expect(s.documentsAdded).toBe(1);
  });
  afterAll(() => engine.close());

  const snapshot = () =>
    engine.db.prepare('SELECT (SELECT count(*) FROM documents) d, (SELECT count(*) FROM chunks) c, (SELECT count(*) FROM entities) e, (SELECT count(*) FROM links) l').get();

  it.each(CATALOGUE)('$name fails alone with a clear error; nothing is written', async ({ name, data, code, message }) => {
    const path = join(files, name);
    writeFileSync(path, data());
    const before = snapshot();
    const s = await engine.import({ paths: [path] });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]!.source).toBe(path);
    expect(s.errors[0]!.reason ?? s.errors[0]!.code).toMatch(code);
    expect(s.errors[0]!.message).toMatch(message);
    expect(s.errors[0]!.message).toContain(path);
    expect(snapshot()).toEqual(before);
  });

  it('reports archives nested in an export without opening them, and imports the rest', async () => {
    const path = join(files, 'nested.zip');
    writeFileSync(path, buildZip([...slackMeta, { name: 'ops/2024-02-01.json', data: JSON.stringify([{ user: 'U1', text: 'nested test message about pgbouncer', ts: '1706800000.000100' }]) }, { name: 'attachments/inner.zip', data: buildZip([day]) }]));
    const s = await engine.import({ paths: [path] });
    expect(s.errors).toEqual([expect.objectContaining({ code: 'refused-input', reason: 'nested-archive', source: `${path}!attachments/inner.zip` })]);
    expect(s.documentsAdded).toBe(1);
  });

  it('never writes anything outside the database (no extraction to disk)', async () => {
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'outside'))).toBe(false);
    expect(existsSync(join(files, 'ops'))).toBe(false);
  });

  it('skips unknown files met in a folder, but fails those named explicitly', async () => {
    const s = await engine.import({ paths: [files] });
    expect(s.skipped.map((x) => x.source)).toEqual(expect.arrayContaining([join(files, 'other.zip'), join(files, 'unknown.csv')]));
    expect(s.errors.map((e) => e.source)).not.toContain(join(files, 'unknown.csv'));
    expect(s.documentsAdded).toBe(0);
  });
});

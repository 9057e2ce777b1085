/**
 * Limits that keep hostile input from costing memory or time, checked at their edges: text
 * without whitespace, archives whose entries each pass the per-entry check but not as a whole,
 * and UTF-16 written without a byte-order mark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkMarkdown, MAX_HEADING_CHARS, MAX_PASSAGE_CHARS } from '../../../native/chunk/chunker.js';
import { decodeText } from '../../../native/import/decode-text.js';
import { ZipArchive } from '../../../native/import/zip-archive.js';
import { TestApi } from '../../support/api.js';
import { CORPUS, NO_MODEL } from '../../support/generated-models.js';
import { parseSource } from '../../support/parse.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';
import { buildZip } from '../../support/zip-writer.js';

const dir = tempDir();
const write = fixtureWriter(dir);

/** A deterministic run of base64-looking characters with no whitespace (an inlined image, a token dump). */
function blob(chars: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  let x = 7;
  for (let i = 0; i < chars; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[(x >>> 16) & 63];
  }
  return s;
}

describe('passages of text without whitespace', () => {
  const line = blob(200 * 1024);

  it('cuts a 200 KB line into passages of at most MAX_PASSAGE_CHARS, losing nothing', () => {
    const body = `# Core dump\n\n## Timeline\n\n${line}\n\n## Root cause\n\nA token was logged whole.\n`;
    const chunks = chunkMarkdown(body);
    const long = chunks.filter((c) => c.heading.endsWith('Timeline'));
    expect(long.length).toBeGreaterThanOrEqual(Math.ceil(line.length / MAX_PASSAGE_CHARS));
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    // The pieces are the body, in order, each pointing at its place in it: nothing lost or repeated.
    expect(chunks.map((c) => c.text).join('').replace(/\s/g, '')).toBe(body.replace(/\s/g, ''));
    for (const c of chunks) expect(body.slice(c.start, c.end).trim()).toBe(c.text);
    // The section after it keeps its own passage and role.
    expect(chunks.at(-1)).toMatchObject({ role: 'root_cause', text: '## Root cause\n\nA token was logged whole.' });
  });

  it('cuts at the hard limit when the only spaces are too far apart to help', () => {
    const sparse = Array.from({ length: 40 }, () => blob(5_000)).join(' ');
    const chunks = chunkMarkdown(`# Dump\n\n${sparse}\n`);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    expect(chunks.map((c) => c.text).join('').replace(/\s/g, '')).toBe(`#Dump${sparse.replaceAll(' ', '')}`);
  });

  it('prefers the last space before the limit when there is one near it', () => {
    const words = Array.from({ length: 3_000 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkMarkdown(`# Words\n\n${words}\n`);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      // No word is cut in two.
      expect(c.text.replace(/^# Words\s+/, '')).toMatch(/^w\d+( w\d+)*$/);
    }
  });

  it('never makes such a line a heading: a heading would be carried by every passage under it', () => {
    for (const body of [`# ${line}\n\nAfter it.\n`, `${line}\n${'='.repeat(20)}\n\nAfter it.\n`, `# Dump\n\n## ${line}\n`]) {
      const chunks = chunkMarkdown(body);
      for (const c of chunks) expect(c.heading.length).toBeLessThanOrEqual(MAX_HEADING_CHARS);
      expect(chunks.map((c) => c.text).join('').replace(/[\s#=]/g, '')).toBe(body.replace(/[\s#=]/g, ''));
    }
    // A heading of ordinary length still is one.
    expect(chunkMarkdown(`# Dump\n\n## ${'Root cause '.repeat(20)}\n\nA leak.\n`).at(-1)!.heading).toMatch(/^(Root cause ?){20}$/);
  });

  it('stores a text file that is one such line in space that grows with it, not with its square', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'one-line.db'), models: NO_MODEL });
    const path = write('dump.txt', line);
    expect(await api.import({ paths: [path] })).toMatchObject({ documentsAdded: 1, errors: [] });
    const { headings, texts } = api.db.prepare('SELECT sum(length(heading)) AS headings, sum(length(text)) AS texts FROM chunks').get() as { headings: number; texts: number };
    expect(texts).toBeGreaterThanOrEqual(line.length);
    expect(headings).toBeLessThan(line.length / 10);
    await api.close();
  });

  it('stores the passages of an imported file with such a line within the limit', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'long-line.db'), models: NO_MODEL });
    const path = write('minified.md', `# Minified bundle in a postmortem\n\n## Evidence\n\n${line}\n`);
    const s = await api.import({ paths: [path] });
    expect(s).toMatchObject({ documentsAdded: 1, errors: [] });
    const { longest, total } = api.db.prepare('SELECT max(length(text)) AS longest, sum(length(text)) AS total FROM chunks').get() as { longest: number; total: number };
    expect(longest).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    expect(total).toBeGreaterThanOrEqual(line.length);
    await api.close();
  });
});

describe('archives of many entries, each under the per-entry zip-bomb check', () => {
  // Exactly 1 MiB of zeros per entry: the per-entry check looks only at entries larger than that.
  const MiB = Buffer.alloc(1024 * 1024);
  const slackMeta = [
    { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'ops' }]) },
    { name: 'users.json', data: JSON.stringify([{ id: 'U1', name: 'ann' }]) },
  ];
  const days = (n: number, data: Buffer) =>
    Array.from({ length: n }, (_, i) => ({ name: `ops/${new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10)}.json`, data }));

  it('refuses 3,000 × 1 MB of zeros as a zip bomb by the whole-archive check', async () => {
    const zip = buildZip([...slackMeta, ...days(3_000, MiB)]);
    expect(zip.length).toBeLessThan(10 * 1024 * 1024);
    const err = await ZipArchive.fromBuffer(zip, 'export.zip').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'refused-input', reason: 'zip-bomb' });
    expect((err as Error).message).toMatch(/^export\.zip: refused: its entries expand \d+x in all, which looks like a zip bomb\.$/);
  });

  it('is refused by an import as one failed file, naming it; nothing is written', async () => {
    const api = await TestApi.open({ dbPath: join(dir, 'bomb.db'), models: NO_MODEL });
    const path = write('slack-export.zip', buildZip([...slackMeta, ...days(3_000, MiB)]));
    const s = await api.import({ paths: [path] });
    expect(s.errors).toEqual([expect.objectContaining({ source: path, reason: 'zip-bomb', message: expect.stringContaining(path) })]);
    expect((await api.stats()).documents).toBe(0);
    await api.close();
  });

  it('opens a large archive whose entries compress as real text does', async () => {
    // 80 × 1 MiB of incompressible bytes: past the 64 MB floor of the whole-archive check, at a ratio of ~1.
    const noise = Buffer.from(blob(1024 * 1024), 'latin1');
    const zip = ZipArchive.fromBuffer(buildZip([...slackMeta, ...days(80, noise)]), 'big.zip');
    const archive = await zip;
    expect(archive.entries).toHaveLength(82);
    archive.close();
  });

  it('opens a small archive of highly compressible entries (under the 64 MB floor)', async () => {
    const archive = await ZipArchive.fromBuffer(buildZip([...slackMeta, ...days(60, MiB)]), 'small.zip');
    expect(archive.entries).toHaveLength(62);
    archive.close();
  });

  it('still refuses one entry just over 1 MiB that expands past the ratio', async () => {
    const one = Buffer.alloc(1024 * 1024 + 1);
    await expect(ZipArchive.fromBuffer(buildZip([{ name: 'a.json', data: one }]), 'one.zip')).rejects.toMatchObject({ reason: 'zip-bomb', message: /entry "a\.json" expands \d+x/ });
  });

});

describe('UTF-16 without a byte-order mark', () => {
  const utf16le = (s: string) => Buffer.from(s, 'utf16le');
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  // Real files: a DFDS postmortem (Markdown) and recorded GitHub API responses (JSON), as UTF-8 on disk.
  const markdown = join(CORPUS, 'postmortems', 'dfds', 'PM2020-001_-_Inotify_file_watches_exhaustion.md');
  const json = join(CORPUS, 'github', 'octokit-fixtures', 'paginate-issues.normalized-fixture.json');

  let expectedMd: Awaited<ReturnType<typeof parseSource>>;
  let expectedJson: Awaited<ReturnType<typeof parseSource>>;
  beforeAll(async () => {
    expectedMd = await parseSource(markdown);
    expectedJson = await parseSource(json);
  });

  it.each([
    ['UTF-16LE', utf16le],
    ['UTF-16BE', utf16be],
  ])('reads Markdown in %s exactly as its UTF-8 original', async (name, encode) => {
    const path = write(`pm-${name}.md`, encode(readFileSync(markdown, 'utf8')));
    const r = await parseSource(path);
    expect(r.reported).toEqual([]);
    expect(r.documents).toHaveLength(1);
    expect(r.documents[0]!.title).toBe(expectedMd.documents[0]!.title);
    expect(r.documents[0]!.body).toBe(expectedMd.documents[0]!.body);
  });

  it.each([
    ['UTF-16LE', utf16le],
    ['UTF-16BE', utf16be],
  ])('reads a JSON export in %s exactly as its UTF-8 original', async (name, encode) => {
    const path = write(`issues-${name}.json`, encode(readFileSync(json, 'utf8')));
    const r = await parseSource(path);
    expect(r.format).toBe(expectedJson.format);
    expect(r.documents.map((d) => [d.externalId, d.title, d.body])).toEqual(expectedJson.documents.map((d) => [d.externalId, d.title, d.body]));
  });

  it('keeps non-Latin text of UTF-16 without a BOM', () => {
    const text = '# Störung: Zahlungsdienst\n\nDie Datenbank war überlastet — Łódź, Ελλάδα.\n';
    expect(decodeText(utf16le(text), 'x.md')).toBe(text);
    expect(decodeText(utf16be(text), 'x.md')).toBe(text);
  });

  it('does not mistake binary data with many NUL bytes for UTF-16', () => {
    const words = Buffer.alloc(4096);
    for (let i = 0; i < words.length; i += 4) words.writeUInt32LE(i * 2654435761 >>> 8, i);
    expect(() => decodeText(words, 'data.md')).toThrow(/binary file/);
  });
});

import { openSync, closeSync, ftruncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { buildPdf } from '../../support/pdf-writer.js';
import { buildZip } from '../../support/zip-writer.js';
import { tempDir } from '../../support/temp.js';
import { NO_MODEL } from '../../support/generated-models.js';


/** Hostile or broken files: each must fail alone, with a readable error naming the file. */
const CATALOGUE: Array<{ name: string; data: () => Buffer; code: string; message: RegExp }> = [
  { name: 'junk.md', data: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), code: 'binary-file', message: /binary file/ },
  { name: 'empty.md', data: () => Buffer.alloc(0), code: 'empty', message: /is empty/ },
  { name: 'whitespace.txt', data: () => Buffer.from('   \n\n \t\n'), code: 'empty', message: /no text/ },
  { name: 'encrypted.pdf', data: () => buildPdf([[{ text: 'secret', size: 12 }]], { encrypted: true }), code: 'encrypted', message: /password-protected/ },
  { name: 'truncated.pdf', data: () => buildPdf([[{ text: 'cut short', size: 12 }]]).subarray(0, 40), code: 'bad-format', message: /not a readable PDF|no extractable text/ },
  { name: 'not-really.docx', data: () => Buffer.from('this is plain text pretending to be a docx'), code: 'bad-archive', message: /not a readable ZIP/ },
  { name: 'no-document.docx', data: () => buildZip([{ name: 'hello.txt', data: 'hi' }]), code: 'bad-format', message: /not a Word document/ },
  { name: 'bomb.docx', data: () => buildZip([{ name: 'word/document.xml', data: Buffer.alloc(300 * 1024 * 1024, 0x20) }]), code: 'zip-bomb', message: /zip bomb|expands/ },
  { name: 'slip.docx', data: () => buildZip([{ name: '../../etc/evil.xml', data: 'x' }, { name: 'word/document.xml', data: '<w:document/>' }]), code: 'unsafe-archive', message: /outside|escapes/ },
  { name: 'symlink.docx', data: () => buildZip([{ name: 'word/document.xml', data: '/etc/passwd', symlink: true, store: true }]), code: 'unsafe-archive', message: /symbolic link/ },
  { name: 'locked.docx', data: () => buildZip([{ name: 'word/document.xml', data: 'x', encrypted: true, store: true }]), code: 'encrypted', message: /encrypted/ },
  { name: 'ole.docx', data: () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]), code: 'encrypted', message: /password-protected or a legacy/ },
  { name: 'image.png', data: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]), code: 'unsupported', message: /not a format Hindsight imports/ },
  { name: 'garbled.md', data: () => Buffer.from(Array.from({ length: 2000 }, () => [0xc3, 0x28][Math.random() < 0.5 ? 0 : 1]!)), code: 'bad-encoding', message: /not readable text/ },
];

describe('hostile and broken files', () => {
  const dir = tempDir();
  const files = join(dir, 'files');
  let engine: TestApi;

  beforeAll(async () => {
    mkdirSync(files);
    writeFileSync(join(files, 'good.md'), '# Good postmortem\n\n## Root cause\n\nThe disk filled up with audit logs.\n');
    engine = await TestApi.open({ dbPath: join(dir, 'h.db'), models: NO_MODEL });
  });
  afterAll(() => engine.close());

  it.each(CATALOGUE)('$name fails alone with a clear error and leaves the database unchanged', async ({ name, data, code, message }) => {
    const path = join(files, name);
    writeFileSync(path, data());
    const before = (await engine.stats());
    const s = await engine.import({ paths: [path] });
    expect(s.filesFailed).toBe(1);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]!.source).toBe(path);
    expect(s.errors[0]!.reason ?? s.errors[0]!.code).toBe(code);
    expect(s.errors[0]!.message).toMatch(message);
    expect(s.errors[0]!.message).toContain(path);
    const after = (await engine.stats());
    expect([after.documents, after.chunks]).toEqual([before.documents, before.chunks]);
  });

  it('refuses a 500 MB file by its size without reading it', async () => {
    const path = join(files, 'huge.md');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 500 * 1024 * 1024); // sparse: costs no disk
    closeSync(fd);
    const s = await engine.import({ paths: [path] });
    expect(s.errors[0]).toMatchObject({ source: path, code: 'refused-input', reason: 'too-large' });
    expect(s.errors[0]!.message).toMatch(/500 MB/);
  });

  it('imports the good file of a folder full of bad ones, and records every error', async () => {
    const s = await engine.import({ paths: [files, join(dir, 'missing-folder')] });
    expect(s.documentsAdded).toBe(1);
    expect(s.errors.map((e) => e.code)).toContain('not-found');
    // Only files with importable extensions are picked up from a folder (image.png is skipped).
    expect(s.errors.some((e) => e.source.endsWith('image.png'))).toBe(false);
    // ...but it is listed as skipped, with the reason.
    expect(s.skipped).toContainEqual({ source: join(files, 'image.png'), reason: 'not a kind of file Hindsight imports (.png)' });
    expect(s.filesFailed).toBe(s.errors.length);
    const stored = engine.db.prepare(`SELECT outcome, count(*) AS n FROM import_issues WHERE import_id = ? GROUP BY outcome ORDER BY outcome`).all(s.importId);
    expect(stored).toEqual([{ outcome: 'failed', n: s.errors.length }, { outcome: 'skipped', n: s.skipped.length }]);
    const hits = await engine.search({ query: 'audit logs disk' });
    expect(hits.hits[0]?.title).toBe('Good postmortem');
  });
});

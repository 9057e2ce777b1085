import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../support/parse.js';
import { decodeText } from '../../../native/import/decode-text.js';
import { detectFormat } from '../../../native/import/detect-format.js';
import { CORPUS } from '../../support/generated-models.js';
import { buildPdf } from '../../support/pdf-writer.js';
import { buildDocx } from '../../support/zip-writer.js';
import { fixtureWriter, tempDir } from '../../support/temp.js';

const dir = tempDir();
const write = fixtureWriter(dir);

describe('Markdown postmortems (real corpus)', () => {
  it('takes title, date, URL and body from a dfds postmortem', async () => {
    const path = join(CORPUS, 'postmortems/dfds/PM2021-005_-_All_services_returning_503_in_Kubernetes.md');
    const { format, documents: [doc] } = await parseSource(path);
    expect(format).toBe('markdown');
    expect(doc!.title).toBe('All services returning 503 in Kubernetes');
    expect(doc!.occurredAt?.slice(0, 10)).toBe('2021-06-22');
    expect(doc!.url).toMatch(/^https:\/\/github.com\/dfds\/postmortems\/blob\//);
    expect(doc!.source).toBe(path);
    expect(doc!.kind).toBe('postmortem');
    expect(doc!.body).not.toMatch(/^---/);
    expect(doc!.body).toContain('## Contributing Factors');
  });

  it('reads a setext title and the date in the file name (PostHog)', async () => {
    const { documents: [doc] } = await parseSource(join(CORPUS, 'postmortems/posthog/2025-11-15-persons-db-migration.md'));
    expect(doc!.title).toBe('PostHog Data Processing Delays - Events & Persons Ingestion (November 2025)');
    expect(doc!.occurredAt?.slice(0, 10)).toBe('2025-11-15');
  });

  it('takes the first heading as the title when there is no level-1 heading', async () => {
    // Written by tools that start at level 2 (wiki exports, templates): not the file name, not a later heading.
    const path = write('2024-03-01-notes.md', 'Written up after the call.\n\n## Database failover in eu-west-1\n\nThe primary failed over.\n\n### Timeline\n\n- 10:02 alert\n');
    const { documents: [doc] } = await parseSource(path);
    expect(doc!.title).toBe('Database failover in eu-west-1');
  });

  it('keeps underscores inside words and drops emphasis marks at their edges (Chia: AGG_SIG_UNSAFE)', async () => {
    const { documents: [doc] } = await parseSource(join(CORPUS, 'postmortems/chia/2023-05-08-AGG_SIG_UNSAFE-can-mimic-AGG_SIG_ME-condition.md'));
    expect(doc!.title).toBe('AGG_SIG_UNSAFE can mimic AGG_SIG_ME condition');
    const marked = write('marked.md', '# **Checkout** outage: _payments_ `api` and snake_case_name, incident #3301\n\nBody.\n');
    expect((await parseSource(marked)).documents[0]!.title).toBe('Checkout outage: payments api and snake_case_name, incident #3301');
  });

  it('reads the MOJ template: date and resolution time from the key events', async () => {
    const { documents: [doc] } = await parseSource(join(CORPUS, 'postmortems/moj-cloud-platform/2025-07-23-multiple-secrets-leaked-to-public.md'));
    expect(doc!.title).toBe('Incident on 2025-07-23 - Multiple secrets leaked to public');
    expect(doc!.occurredAt?.slice(0, 10)).toBe('2025-07-23');
    expect(doc!.resolvedAt?.slice(0, 16)).toBe('2025-07-24T12:34');
  });
});

describe('HTML (Confluence / Google Docs export)', () => {
  it('keeps headings, lists and tables as Markdown and drops page chrome', async () => {
    const html = `<!DOCTYPE html><html><head><title>INC-42 Checkout latency</title><style>body{color:red}</style><script>alert(1)</script></head>
      <body><nav>Space navigation</nav><div id="main-content">
      <h2>Summary</h2><p>Checkout p99 latency rose to <b>8s</b>.</p>
      <h2>Timeline</h2><table><thead><tr><th>Time</th><th>Event</th></tr></thead><tbody><tr><td>10:02</td><td>Alert fired</td></tr></tbody></table>
      <h2>Action items</h2><ul><li>Add a circuit breaker</li><li>Load test checkout</li></ul>
      </div></body></html>`;
    const { format, documents: [doc] } = await parseSource(write('confluence.html', html));
    expect(format).toBe('html');
    expect(doc!.title).toBe('INC-42 Checkout latency');
    expect(doc!.body).toContain('## Summary');
    expect(doc!.body).toMatch(/\| Time \| Event \|/);
    expect(doc!.body).toMatch(/\| 10:02 \| Alert fired \|/);
    expect(doc!.body).toMatch(/^- Add a circuit breaker$/m);
    expect(doc!.body).not.toContain('alert(1)');
    expect(doc!.body).not.toContain('color:red');
    expect(doc!.body).not.toContain('Space navigation');
  });
});

describe('DOCX', () => {
  it('converts Word headings and tables', async () => {
    const docx = buildDocx([
      { style: 'Heading1', text: 'DNS resolution failures in eu-west-1' },
      { style: 'Heading2', text: 'Root cause' },
      { text: 'CoreDNS pods were OOM-killed after the cache size change.' },
      { style: 'Heading2', text: 'Timeline' },
      { table: [['Time', 'Event'], ['09:00', 'Resolution errors']] },
    ]);
    const { format, documents: [doc] } = await parseSource(write('dns.docx', docx));
    expect(format).toBe('docx');
    expect(doc!.title).toBe('DNS resolution failures in eu-west-1');
    expect(doc!.body).toMatch(/^## Root cause$/m);
    expect(doc!.body).toContain('CoreDNS pods were OOM-killed');
    expect(doc!.body).toMatch(/\| 09:00 \| Resolution errors \|/);
  });
});

describe('PDF', () => {
  it('extracts text and turns larger-font lines into headings', async () => {
    const pdf = buildPdf([
      [
        { text: 'Queue backlog incident', size: 20 },
        { text: 'Summary', size: 15 },
        { text: 'The orders queue backed up for two hours on 3 March 2024.', size: 10 },
        { text: 'Root cause', size: 15 },
        { text: 'A consumer deploy shipped with a poison message loop.', size: 10 },
      ],
      [
        { text: 'Action items', size: 15 },
        { text: 'Dead-letter queue for poison messages.', size: 10 },
      ],
    ]);
    const { format, documents: [doc] } = await parseSource(write('queue.pdf', pdf));
    expect(format).toBe('pdf');
    expect(doc!.title).toBe('Queue backlog incident');
    expect(doc!.body).toMatch(/^## Root cause$/m);
    expect(doc!.body).toMatch(/^## Action items$/m);
    expect(doc!.body).toContain('poison message loop');
    expect(doc!.occurredAt?.slice(0, 10)).toBe('2024-03-03');
  });
});

describe('plain text', () => {
  it('finds the sections a plain-text postmortem implies', async () => {
    const text = 'Cache stampede on search\n========================\n\nSUMMARY\n\nSearch timed out for 20 minutes.\n\nRoot cause: a cold cache after the deploy.\n\nAction items\n\n- warm the cache before switching traffic\n';
    const { documents: [doc] } = await parseSource(write('stampede.txt', text));
    expect(doc!.title).toBe('Cache stampede on search');
    expect(doc!.body).toMatch(/^## SUMMARY$/m);
    expect(doc!.body).toMatch(/^## Root cause$/m);
    expect(doc!.body).toMatch(/^## Action items$/m);
  });

  it('decodes UTF-16 with a BOM and Windows-1252 without one', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Über-outage\n\nCafé déjà vu', 'utf16le')]);
    expect((await parseSource(write('u16.md', utf16))).documents[0]!.title).toBe('Über-outage');
    const cp1252 = Buffer.from('# Caf\xe9 outage\n\nThe \x93smart quotes\x94 broke the parser.', 'latin1');
    const doc = (await parseSource(write('cp1252.md', cp1252))).documents[0]!;
    expect(doc.title).toBe('Café outage');
    expect(doc.body).toContain('\u201csmart quotes\u201d');
  });
});

describe('damaged UTF-8 or Windows-1252: told apart by the UTF-8 sequences a file holds', () => {
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('keeps UTF-8 with one damaged byte as UTF-8: the damage becomes U+FFFD, the rest is intact', () => {
    // Its only multi-byte characters start with 0xC2, the lowest UTF-8 lead byte (©, °).
    expect(decodeText(bytes('# Outage © 2024\n\nDisks ran at 90 °C; a stray byte: ', [0xff], '.\n'), 'x.md')).toBe('# Outage © 2024\n\nDisks ran at 90 °C; a stray byte: \uFFFD.\n');
  });

  it('reads Windows-1252 with a single smart quote as Windows-1252', () => {
    // 0x92 after a letter is a UTF-8 continuation byte with no lead byte: no UTF-8 character at all.
    expect(decodeText(Buffer.from('# It\x92s down\n\nThe API returned 503.\n', 'latin1'), 'x.md')).toBe('# It\u2019s down\n\nThe API returned 503.\n');
  });

  it('counts a character led by 0xF4, the highest lead byte, as UTF-8', () => {
    // U+10FFFD (F4 8F BF BD) is the last character UTF-8 encodes.
    expect(decodeText(bytes('private use: \u{10FFFD}, damaged: ', [0xff], '\n'), 'x.md')).toBe('private use: \u{10FFFD}, damaged: \uFFFD\n');
  });
});

describe('format detection', () => {
  it('trusts content over the file name', () => {
    expect(detectFormat('report.txt', Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(detectFormat('notes.md', Buffer.from('<!DOCTYPE html><html>'))).toBe('html');
    expect(detectFormat('x.docx', Buffer.from('PK\x03\x04'))).toBe('docx');
    expect(detectFormat('export', Buffer.from('---\ntitle: x\n---\n# Hi'))).toBe('markdown');
    expect(detectFormat('export.json', Buffer.from('{"type":"version","version":1}\n{"type":"team"}'))).toBe('jsonl');
    expect(detectFormat('page.xml', Buffer.from('<ac:layout><ac:layout-section><p>x</p>'))).toBe('html');
  });

  it('reads a Confluence page body (storage format) saved as .xml as the page it is, whatever element opens it', () => {
    // Storage-format bodies open with the page's first block, bare or with attributes; a macro
    // (<ac:…>) or a resource reference (<ri:…>) further on tells them from other XML.
    const macro = '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Paged at 02:14</p></ac:rich-text-body></ac:structured-macro>';
    for (const first of ['<p>Summary</p>', '<p class="auto-cursor-target"><br /></p>', '<h1>Timeline</h1>', '<h2 id="Impact">Impact</h2>', '<table><tbody><tr><td>x</td></tr></tbody></table>', '<table class="wrapped"><colgroup><col /></colgroup></table>']) {
      expect(detectFormat('page.xml', Buffer.from(first + macro)), first).toBe('html');
    }
    // The same openings with no macro or reference are not Confluence's: the name says XML.
    expect(detectFormat('page.xml', Buffer.from('<p>Summary</p><p>Paged at 02:14</p>'))).toBe('xml');
    // Elements that only start like these are not a page's blocks.
    for (const first of ['<pre>x</pre>', '<param name="a"/>', '<h7>x</h7>', '<tablex>x</tablex>']) {
      expect(detectFormat('page.xml', Buffer.from(first + macro)), first).toBe('xml');
    }
  });
});

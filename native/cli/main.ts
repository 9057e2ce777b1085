import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { HindsightError, toContractError } from '../common/errors.js';
import { formatBytes, formatDuration } from '../common/time.js';
import { CSV_MAP_FIELDS, DOCUMENT_KINDS, type DocumentKind, type SearchResult, type Stats } from '../contract.js';
import { parseCsvMap, type CsvMap } from '../import/tickets/csv-tickets.js';
import { inspectModelDir, locateModel, modelSearchFromEnv, HOW_TO_INSTALL } from '../embed/model-locator.js';
import { DEFAULT_MODEL, MODELS, modelSpec } from '../embed/model-registry.js';
import { fetchModel, importModelDir } from '../embed/model-install.js';
import { Engine } from '../engine.js';
import { defaultDatabasePath, userDataDir, userModelsDir } from '../store/paths.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot, packageVersion } from '../common/package-root.js';
import { startBridge, type Bridge } from '../server/http-server.js';
import { EngineService } from '../service/engine-service.js';
import { printJson, ProgressLine, renderSnippet, style } from './output.js';

const USAGE = `Hindsight — offline incident knowledge.

Usage: hindsight [--db <file>] <command> [options]

Commands:
  import <path...>         Import files, folders and exports: postmortems (Markdown, text, HTML,
                           DOCX, PDF), Slack exports (folder or ZIP), Jira (XML, CSV, JSON),
                           GitHub issues JSON, PagerDuty (JSON, CSV), Linear CSV, ServiceNow CSV
      --channels incident-*,ops          only these Slack channels (names or globs)
      --map title=Col,body=Col,...       columns of a CSV no tracker wrote (${CSV_MAP_FIELDS.join(', ')})
  search "<query>"         Hybrid search (keywords + meaning)
      --limit N  --since DATE  --until DATE  --kind ${DOCUMENT_KINDS.join('|')}  --source PATH
      --service NAME  --person NAME  --error TEXT
  show <id>                A document with its entities and links
  similar (--text "..." | --file PATH | --id N) [--limit N] [--kind K]
                           Past incidents like this one, why, and what fixed them
  patterns [--since DATE] [--until DATE] [--kind K]
                           Recurring themes, and the services and errors that recur most
  experts (--text "..." | --id N)
                           Who handled the most similar incidents
  serve [--port N] [--demo]
                           The desktop UI in a browser, on 127.0.0.1 with a per-run token
                           (--demo: a fresh database with the sample data imported)
  stats                    What the database holds, model and index state
  reindex                  Embed passages that have no vector yet (after installing a model)
  model status             Which embedding model is used, and why
  model fetch [name] [--dest DIR]
                           Download and verify a model (${MODELS.map((m) => m.name).join(', ')}; default ${DEFAULT_MODEL})
  model import <folder>    Install a model from a folder (air-gapped machines)

Options:
  --db <file>   Database (default: $HINDSIGHT_DB or ${defaultDatabasePath()})
  --json        One JSON object on stdout
  --quiet       No progress or notices on stderr
  --help        This help

Exit codes: 0 ok; 2 some files failed to import (the rest was imported); 1 error.`;

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, fatal: 1, partial: 2 } as const;

interface Globals {
  db: string;
  json: boolean;
  quiet: boolean;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
      limit: { type: 'string', short: 'n' },
      since: { type: 'string' },
      until: { type: 'string' },
      kind: { type: 'string', multiple: true },
      source: { type: 'string' },
      service: { type: 'string' },
      person: { type: 'string' },
      error: { type: 'string' },
      channels: { type: 'string', multiple: true },
      map: { type: 'string' },
      text: { type: 'string' },
      file: { type: 'string' },
      id: { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean', default: false },
      dest: { type: 'string' },
      'allow-unverified': { type: 'boolean', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.fatal;
  }
  const g: Globals = { db: resolve(values.db ?? defaultDatabasePath()), json: values.json, quiet: values.quiet };
  switch (command) {
    case 'import':
      return cmdImport(g, args, values.channels, values.map ? parseCsvMap(values.map, CSV_MAP_FIELDS) : undefined);
    case 'show':
      return cmdShow(g, args[0]);
    case 'similar':
      return cmdSimilar(g, incidentArg(values, true), values.limit === undefined ? 10 : parseLimit(values.limit), values.kind?.flatMap((k) => k.split(',')).map(parseKind));
    case 'patterns':
      return cmdPatterns(g, { since: values.since, until: values.until, kinds: values.kind?.flatMap((k) => k.split(',')).map(parseKind), limit: values.limit === undefined ? 20 : parseLimit(values.limit) });
    case 'serve':
      return cmdServe(values.db ? resolve(values.db) : null, values.port ?? '0', values.demo, g.quiet);
    case 'experts':
      return cmdExperts(g, incidentArg(values, false), values.limit === undefined ? 10 : parseLimit(values.limit));
    case 'search':
      return cmdSearch(g, args.join(' '), {
        limit: values.limit === undefined ? 10 : parseLimit(values.limit),
        since: values.since,
        until: values.until,
        kinds: values.kind?.flatMap((k) => k.split(',')).map(parseKind),
        sourcePrefix: values.source ? resolve(values.source) : undefined,
        service: values.service,
        person: values.person,
        error: values.error,
      });
    case 'stats':
      return cmdStats(g);
    case 'reindex':
      return cmdReindex(g);
    case 'model':
      return cmdModel(g, args, values['allow-unverified'], values.dest ? resolve(values.dest) : userModelsDir());
    default:
      throw new HindsightError('usage', `Unknown command "${command}". Run \`hindsight --help\` for the list.`);
  }
}

/** The incident to compare: exactly one of --text, --file (similar only) or --id. */
function incidentArg(v: { text?: string; file?: string; id?: string }, allowFile: boolean): { text?: string; file?: string; id?: number } {
  const given = [v.text, allowFile ? v.file : undefined, v.id].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new HindsightError('usage', `Describe the incident with exactly one of --text "what you see"${allowFile ? ', --file <path>' : ''} or --id <document id>.`);
  }
  if (v.id !== undefined) {
    const id = Number(v.id);
    if (!Number.isInteger(id) || id < 1) throw new HindsightError('usage', `--id takes a document id (got "${v.id}").`);
    return { id };
  }
  return v.text !== undefined ? { text: v.text } : { file: resolve(v.file!) };
}

function parseLimit(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new HindsightError('usage', `--limit must be a whole number from 1 to 200 (got "${s}").`);
  return n;
}

function parseKind(s: string): DocumentKind {
  if ((DOCUMENT_KINDS as readonly string[]).includes(s)) return s as DocumentKind;
  throw new HindsightError('usage', `--kind must be one of ${DOCUMENT_KINDS.join(', ')} (got "${s}").`);
}

async function withEngine<T>(g: Globals, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ dbPath: g.db });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** Said once per command, on stderr, when there is no model: plainly what it means and what to do. */
function lexicalNotice(g: Globals, engine: Engine): void {
  if (g.quiet || engine.semantic) return;
  const s = engine.modelStatus;
  const why = s.state === 'error' ? s.message : 'No embedding model is installed.';
  process.stderr.write(`${style.dim(`Note: ${why} Semantic search is off; keyword search works. ${HOW_TO_INSTALL}`)}\n`);
}

async function cmdImport(g: Globals, paths: string[], channels: string[] | undefined, csvMap: CsvMap | undefined): Promise<number> {
  if (!paths.length) throw new HindsightError('usage', 'Name at least one file or folder: hindsight import <path...>');
  const input = { paths: paths.map((p) => resolve(p)), channels: channels?.flatMap((c) => c.split(',')), csvMap };
  return withEngine(g, async (engine) => {
    lexicalNotice(g, engine);
    if (!g.quiet) await showSlackChannels(engine, input);
    const progress = new ProgressLine(!g.quiet);
    const ac = new AbortController();
    // Ctrl+C stops between documents: what is written stays consistent.
    const onInt = () => {
      process.stderr.write('\nStopping after the current document…\n');
      ac.abort();
    };
    process.once('SIGINT', onInt);
    const summary = await engine.import(input, { onProgress: (p) => progress.importing(p), signal: ac.signal }).finally(() => process.off('SIGINT', onInt));
    progress.end();
    if (g.json) printJson(summary);
    else {
      const docs = summary.documentsAdded + summary.documentsUpdated;
      process.stdout.write(
        `Imported ${summary.filesSeen - summary.filesFailed}/${summary.filesSeen} files in ${formatDuration(summary.durationMs / 1000)}: ` +
          `${summary.documentsAdded} new, ${summary.documentsUpdated} updated, ${summary.documentsUnchanged} unchanged documents; ` +
          `${summary.chunksWritten} passages${summary.semantic ? `, ${summary.chunksEmbedded} embedded` : ' (not embedded: no model)'}.\n`,
      );
      const formats = Object.entries(summary.byFormat).map(([f, n]) => `${n} ${f}`).join(', ');
      if (formats) process.stdout.write(`By format: ${formats}.\n`);
      if (!docs && !summary.documentsUnchanged && !summary.errors.length) process.stdout.write('Nothing importable was found.\n');
      if (summary.skipped.length) process.stdout.write(`Skipped ${summary.skipped.length} files that are not a known format${summary.skipped.length <= 5 ? `: ${summary.skipped.map((x) => x.source).join(', ')}` : ''}.\n`);
      for (const e of summary.errors) process.stdout.write(`${style.red('✗')} ${e.message}\n`);
    }
    return summary.errors.length ? EXIT.partial : EXIT.ok;
  });
}

/** Lists the channels of each Slack export before a long import, and which ones will be read. */
async function showSlackChannels(engine: Engine, input: { paths: string[]; channels?: string[] }): Promise<void> {
  const preview = await engine.previewImport(input);
  for (const s of preview.sources) {
    if (!s.channels?.length) continue;
    const chosen = s.channels.filter((c) => c.selected);
    const bytes = chosen.reduce((n, c) => n + c.bytes, 0);
    process.stderr.write(`Slack export ${s.source}: importing ${chosen.length} of ${s.channels.length} channels (${formatBytes(bytes)})\n`);
    const list = s.channels.map((c) => `${c.selected ? '+' : '-'} #${c.name} (${c.days} days)`);
    process.stderr.write(`  ${list.slice(0, 40).join('  ')}${list.length > 40 ? `  … ${list.length - 40} more` : ''}\n`);
  }
}

async function cmdShow(g: Globals, idArg: string | undefined): Promise<number> {
  const id = Number(idArg);
  if (!Number.isInteger(id) || id < 1) throw new HindsightError('usage', 'Give a document id (from search results): hindsight show <id>');
  return withEngine(g, async (engine) => {
    const doc = engine.show(id);
    if (!doc) throw new HindsightError('not-found', `There is no document #${id}.`);
    if (g.json) {
      printJson(doc);
      return EXIT.ok;
    }
    const when = [doc.occurredAt && `occurred ${doc.occurredAt.slice(0, 16).replace('T', ' ')}`, doc.resolvedAt && `resolved ${doc.resolvedAt.slice(0, 16).replace('T', ' ')}`].filter(Boolean).join(', ');
    process.stdout.write(`${style.bold(doc.title)}\n${style.dim(`#${doc.id} · ${doc.kind} · ${doc.format}${when ? ` · ${when}` : ''}`)}\n${style.dim(doc.url ?? doc.source)}\n\n${doc.body}\n`);
    if (doc.entities.length) {
      process.stdout.write(`\n${style.bold('Entities')}\n`);
      const byType = new Map<string, string[]>();
      for (const e of doc.entities) byType.set(e.type, [...(byType.get(e.type) ?? []), e.mentions > 1 ? `${e.name} ×${e.mentions}` : e.name]);
      for (const [type, names] of byType) process.stdout.write(`  ${type.padEnd(11)} ${names.slice(0, 25).join(', ')}${names.length > 25 ? ', …' : ''}\n`);
    }
    if (doc.links.length) {
      process.stdout.write(`\n${style.bold('Links')}\n`);
      for (const l of doc.links) {
        const arrow = l.direction === 'out' ? '→' : '←';
        const to = l.documentId ? `#${l.documentId} ${l.title}` : `${l.target} ${style.dim('(not imported)')}`;
        process.stdout.write(`  ${arrow} ${l.relation}: ${to}\n`);
      }
    }
    return EXIT.ok;
  });
}

async function cmdSimilar(g: Globals, incident: { text?: string; file?: string; id?: number }, limit: number, kinds?: DocumentKind[]): Promise<number> {
  return withEngine(g, async (engine) => {
    lexicalNotice(g, engine);
    const r = await engine.similar({ ...incident, limit, kinds });
    if (g.json) {
      printJson(r);
      return EXIT.ok;
    }
    const mark = { recurring: style.red('RECURRING'), related: style.bold('RELATED'), novel: style.bold('NOVEL') }[r.verdict.label];
    process.stdout.write(`${mark}  ${r.verdict.reason}\n`);
    if (r.input.terms.length) process.stdout.write(style.dim(`Read as: ${r.input.terms.slice(0, 10).join(', ')}${r.input.entities.length ? ` · ${r.input.entities.slice(0, 6).map((e) => e.name).join(', ')}` : ''}\n`));
    r.incidents.forEach((inc, i) => {
      const date = inc.occurredAt ? inc.occurredAt.slice(0, 10) : 'undated';
      const s = inc.score;
      const parts = [s.semantic === null ? null : `meaning ${s.semantic.toFixed(2)}`, `words ${s.lexical.toFixed(2)}`, `entities ${s.entities.toFixed(2)}`].filter(Boolean).join(', ');
      process.stdout.write(`\n${style.bold(`${i + 1}. ${inc.title}`)}  ${style.dim(`#${inc.documentId} · ${inc.kind} · ${date} · score ${s.total.toFixed(2)} (${parts})`)}\n`);
      const shared = [...inc.shared.services, ...inc.shared.errors, ...inc.shared.technologies];
      if (shared.length) process.stdout.write(`   Shared: ${shared.slice(0, 8).join(', ')}\n`);
      const pair = inc.passages[0];
      if (pair) process.stdout.write(`   Matches ${pair.match.heading || pair.match.role}: ${style.dim(pair.match.text.slice(0, 220))}\n`);
      if (inc.resolution) process.stdout.write(`   Fixed by (${inc.resolution.heading || 'resolution'}): ${inc.resolution.text.slice(0, 240)}\n`);
      if (inc.timeToResolveMinutes !== null) process.stdout.write(`   Time to resolve: ${formatDuration(inc.timeToResolveMinutes * 60)}\n`);
      if (inc.related.length) process.stdout.write(`   Related: ${inc.related.slice(0, 4).map((x) => `#${x.documentId} ${x.title} (${x.relation})`).join('; ')}\n`);
    });
    if (!r.incidents.length) process.stdout.write('No similar incidents found.\n');
    return EXIT.ok;
  });
}

async function cmdPatterns(g: Globals, input: { since?: string; until?: string; kinds?: DocumentKind[]; limit: number }): Promise<number> {
  return withEngine(g, async (engine) => {
    const r = await engine.patterns(input);
    if (g.json) {
      printJson(r);
      return EXIT.ok;
    }
    process.stdout.write(`${r.patterns.length} recurring themes across ${r.documents} documents (${r.mode}, ${r.tookMs} ms)\n`);
    for (const p of r.patterns) {
      const span = p.firstAt && p.lastAt ? `${p.firstAt.slice(0, 7)} → ${p.lastAt.slice(0, 7)}` : 'undated';
      process.stdout.write(`\n${style.bold(`${p.id}. ${p.label}`)}  ${style.dim(`${p.size} incidents · ${span}`)}\n`);
      for (const inc of p.incidents.slice(0, 6)) process.stdout.write(`   #${inc.documentId} ${inc.occurredAt?.slice(0, 10) ?? '          '} ${inc.title}\n`);
      if (p.incidents.length > 6) process.stdout.write(style.dim(`   … ${p.incidents.length - 6} more\n`));
    }
    if (r.topServices.length) process.stdout.write(`\nServices that recur: ${r.topServices.map((s) => `${s.name} (${s.documents})`).join(', ')}\n`);
    if (r.topErrors.length) process.stdout.write(`Errors that recur: ${r.topErrors.map((s) => `${s.name} (${s.documents})`).join(', ')}\n`);
    return EXIT.ok;
  });
}

async function cmdExperts(g: Globals, incident: { text?: string; id?: number }, limit: number): Promise<number> {
  return withEngine(g, async (engine) => {
    lexicalNotice(g, engine);
    const r = await engine.experts({ ...incident, limit });
    if (g.json) {
      printJson(r);
      return EXIT.ok;
    }
    if (!r.experts.length) process.stdout.write('Nobody found: the similar incidents name no people (import Slack threads or tickets to know who handled them).\n');
    r.experts.forEach((e, i) => {
      process.stdout.write(`${style.bold(`${i + 1}. ${e.name}`)}  ${style.dim(`score ${e.score.toFixed(2)}`)}\n`);
      for (const inc of e.incidents.slice(0, 4)) process.stdout.write(`   ${inc.role} — #${inc.documentId} ${inc.title}\n`);
    });
    return EXIT.ok;
  });
}

async function cmdServe(db: string | null, portArg: string, demo: boolean, quiet: boolean): Promise<number> {
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HindsightError('usage', `--port takes 0 (any free port) to 65535 (got "${portArg}").`);
  const root = packageRoot();
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new HindsightError('not-built', 'The UI is not built yet: run `npm run build` (npm ci does it).');
  // A demo never touches the user's own database unless --db says so.
  const scratch = demo && !db ? mkdtempSync(join(tmpdir(), 'hindsight-demo-')) : null;
  const dbPath = db ?? (scratch ? join(scratch, 'demo.db') : defaultDatabasePath());
  const sampleDir = demo ? join(root, 'demo') : undefined;
  let bridge: Bridge | null = null;
  const service = await EngineService.open({ dbPath, shell: 'browser', version: packageVersion(), sampleDir }, (event, payload) => bridge?.broadcast(event, payload));
  bridge = await startBridge({ service, staticDir, uploadDir: join(scratch ?? userDataDir(), 'uploads'), port });
  process.stdout.write(`${bridge.url}\n`);
  if (!quiet) process.stderr.write(`Hindsight is serving ${dbPath} at the address above (127.0.0.1 only). Ctrl+C stops it.\n`);
  if (demo) await service.call('importSample', {});
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await bridge.close();
  await service.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  return EXIT.ok;
}

async function cmdSearch(g: Globals, query: string, filters: Omit<Parameters<Engine['search']>[0], 'query'>): Promise<number> {
  if (!query.trim()) throw new HindsightError('usage', 'Give a query: hindsight search "what you are looking for"');
  return withEngine(g, async (engine) => {
    lexicalNotice(g, engine);
    const result = await engine.search({ query, ...filters });
    if (g.json) printJson(result);
    else printSearch(result);
    return EXIT.ok;
  });
}

function printSearch(r: SearchResult): void {
  if (!r.hits.length) {
    process.stdout.write(`No documents match "${r.query}".\n`);
    return;
  }
  r.hits.forEach((h, i) => {
    const date = h.occurredAt ? h.occurredAt.slice(0, 10) : 'undated';
    process.stdout.write(`\n${style.bold(`${i + 1}. ${h.title}`)}  ${style.dim(`#${h.documentId} · ${h.kind} · ${date} · score ${h.score}`)}\n`);
    process.stdout.write(`   ${style.dim(h.source)}\n`);
    for (const s of h.snippets.slice(0, 1)) process.stdout.write(`   ${s.heading ? style.dim(`${s.heading}: `) : ''}${renderSnippet(s)}\n`);
  });
  process.stdout.write(`\n${style.dim(`${r.hits.length} of ${r.total} documents · ${r.mode} · ${r.tookMs} ms`)}\n`);
}

async function cmdStats(g: Globals): Promise<number> {
  return withEngine(g, async (engine) => {
    const s = engine.stats();
    if (g.json) printJson(s);
    else printStats(s);
    return EXIT.ok;
  });
}

function printStats(s: Stats): void {
  const kinds = Object.entries(s.byKind).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const formats = Object.entries(s.byFormat).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const model =
    s.model.state === 'ready'
      ? `${s.model.name} (${s.model.verified ? 'verified' : 'UNVERIFIED weights'}) at ${s.model.path}`
      : s.model.state === 'error'
        ? `unusable: ${s.model.message}`
        : `none: search is lexical only. ${s.model.howToInstall}`;
  process.stdout.write(
    [
      `Database   ${s.databasePath} (${formatBytes(s.databaseBytes)})`,
      `Documents  ${s.documents} (${kinds}; ${formats})`,
      `Passages   ${s.chunks}`,
      `Model      ${model}`,
      `Vectors    ${s.index.embedded} embedded, ${s.index.pending} waiting${s.index.pending && s.model.state === 'ready' ? ' (run `hindsight reindex`)' : ''}; index ${s.index.health}`,
      `Last import ${s.lastImport ? `#${s.lastImport.id} ${s.lastImport.finishedAt ?? 'unfinished'}${s.lastImport.filesFailed ? `, ${s.lastImport.filesFailed} files failed` : ''}` : 'never'}`,
    ].join('\n') + '\n',
  );
}

async function cmdReindex(g: Globals): Promise<number> {
  return withEngine(g, async (engine) => {
    const progress = new ProgressLine(!g.quiet);
    const r = await engine.reindex({ onProgress: (p) => progress.indexing(p) });
    progress.end();
    if (g.json) printJson(r);
    else process.stdout.write(`Embedded ${r.embedded} passages in ${formatDuration(r.durationMs / 1000)}.\n`);
    return EXIT.ok;
  });
}

async function cmdModel(g: Globals, args: string[], allowUnverified: boolean, dest: string): Promise<number> {
  const [sub, arg] = args;
  const search = modelSearchFromEnv();
  if (allowUnverified) search.allowUnverified = true;
  if (sub === 'status' || !sub) {
    const { state } = await locateModel(search);
    if (g.json) printJson({ ...state, searched: search.roots });
    else if (state.state === 'ready') process.stdout.write(`${state.name} ready (${state.verified ? 'weights verified' : 'UNVERIFIED weights'}) at ${state.path}\nModel id: ${state.modelId}\n`);
    else process.stdout.write(`${state.message}\n${state.state === 'absent' ? state.howToInstall : ''}\nSearched: ${search.roots.join(', ')}\n`);
    return state.state === 'ready' ? EXIT.ok : EXIT.fatal;
  }
  if (sub === 'fetch') {
    const spec = modelSpec(arg ?? DEFAULT_MODEL);
    if (!spec) throw new HindsightError('usage', `Unknown model "${arg}". Known: ${MODELS.map((m) => m.name).join(', ')}.`);
    const progress = new ProgressLine(!g.quiet);
    const path = await fetchModel(spec, dest, {
      host: process.env.HINDSIGHT_MODEL_HOST,
      onProgress: (p) => progress.downloading(p.file, p.received, p.total),
    });
    progress.end();
    const { state } = await inspectModelDir(spec, dest, false);
    if (g.json) printJson({ installed: path, state });
    else process.stdout.write(`Installed ${spec.name} at ${path} (weights verified). Run \`hindsight reindex\` to embed what is already imported.\n`);
    return EXIT.ok;
  }
  if (sub === 'import') {
    if (!arg) throw new HindsightError('usage', 'Name the model folder: hindsight model import <folder>');
    const r = await importModelDir(resolve(arg), dest, allowUnverified);
    if (g.json) printJson({ installed: r.path, name: r.spec.name, verified: r.verified });
    else process.stdout.write(`Installed ${r.spec.name} at ${r.path} (${r.verified ? 'weights verified' : 'UNVERIFIED weights'}). Run \`hindsight reindex\` to embed what is already imported.\n`);
    return EXIT.ok;
  }
  throw new HindsightError('usage', `Unknown model command "${sub}": use status, fetch or import.`);
}

/** Runs the CLI and exits; errors become one readable line (or a JSON error object with --json). */
export async function run(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (err) {
    const e = err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')
      ? { code: 'usage', message: `${err.message}. Run \`hindsight --help\`.` }
      : toContractError(err);
    if (argv.includes('--json')) printJson({ error: e });
    process.stderr.write(`hindsight: ${e.message}\n`);
    if (e.code === 'internal' && process.env.HINDSIGHT_DEBUG) console.error(err);
    code = EXIT.fatal;
  }
  process.exitCode = code;
}

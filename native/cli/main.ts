/**
 * The `hindsight` command. Flags are parsed by commander and mapped to the contract's inputs;
 * every command then calls the engine through the one door (EngineService.invoke), so limits and
 * validation messages are the contract's, with the command line's names ("--limit must be between
 * 1 and 100"). Heavy modules (the engine, importers) load only when a command needs them, so
 * `hindsight --help` starts at once.
 */
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import type { ApiEvent, ApiEvents, ContractError } from '../contract.js';
import { CSV_MAP_FIELDS, DOCUMENT_KINDS } from '../contract-values.js';
import type { EngineService } from '../service/engine-service.js';
import type { FieldNamer } from '../service/validation.js';
import { packageVersion } from '../common/package-root.js';
import { defaultDatabasePath, userModelsDir } from '../store/paths.js';
import { printJson, ProgressLine, style } from './output.js';
import * as print from './print.js';

/**
 * The error module loads the contract's schemas (zod): only paths that meet an error, or run a
 * command, pay for it; `--help` and `--version` do not.
 */
const errors = () => import('../common/errors.js');

/** Exit codes of the CLI contract (errors: the contract's ERROR_CODES, e.g. 64 usage, 66 not found). */
export const EXIT = { ok: 0, partial: 2, sigint: 130, sigterm: 143 } as const;

interface Globals {
  db: string;
  json: boolean;
  quiet: boolean;
}

/** Contract field → the flag that sets it, for messages ("--limit must be …"). */
const FLAGS: Record<string, string> = {
  limit: '--limit',
  kinds: '--kind',
  since: '--since',
  until: '--until',
  sourcePrefix: '--source',
  service: '--service',
  person: '--person',
  error: '--error',
  text: '--text',
  file: '--file',
  id: '--id',
  channels: '--channels',
  csvMap: '--map',
  minSize: '--min-size',
  failureMode: '--failure-mode',
  pattern: '--pattern',
  query: 'the query',
  paths: 'the paths to import',
  folder: 'the model folder',
  download: 'the model name',
};
const cliNames: FieldNamer = (path) => FLAGS[String(path[0])] ?? (path.length ? String(path[0]) : 'the command');

/** A number when the text is one; otherwise the text itself, so that the contract names the mistake. */
const numberish = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s);
const list = (s: string, previous: string[] = []) => [...previous, ...s.split(',').map((x) => x.trim()).filter(Boolean)];

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('hindsight')
    .description('Offline incident knowledge: import postmortems, Slack exports and tickets; search them; find similar past incidents.')
    .version(packageVersion(), '--version')
    .option('--db <file>', `the database (default: $HINDSIGHT_DB or ${defaultDatabasePath()})`)
    .option('--json', 'one JSON object on stdout', false)
    .option('-q, --quiet', 'no progress or notices on stderr', false)
    .showHelpAfterError('(run `hindsight --help` for the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok; 2 some files failed to import (the rest was imported); 64 usage; 65 refused input;\n66 not found; 69 no model or engine; 74 database unavailable; 75 busy or timed out; 130/143 interrupted.',
    );

  const globals = (cmd: Command): Globals => {
    const o = cmd.optsWithGlobals<{ db?: string; json: boolean; quiet: boolean }>();
    return { db: resolve(o.db ?? defaultDatabasePath()), json: o.json, quiet: o.quiet };
  };
  const act = <A extends unknown[]>(fn: (g: Globals, ...args: A) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      code = await fn(globals(cmd), ...(args.slice(0, -1) as A));
    };
  const kindOption = () => new Option('--kind <kind>', `only this kind (${DOCUMENT_KINDS.join(', ')}); repeat or use commas`).argParser(list);

  program
    .command('import')
    .description('import files, folders and exports: postmortems (Markdown, text, HTML, DOCX, PDF, Confluence, Google Docs, Notion), Slack, Teams and Mattermost exports, and tickets (Jira, GitHub, GitLab, PagerDuty, Opsgenie, Linear, ServiceNow, Zendesk)')
    .argument('<path...>', 'files or folders')
    .option('--channels <names>', 'only these Slack channels (names or globs: incident-*,ops)', list)
    .option('--map <pairs>', `columns of a CSV no tracker wrote (title=Col,body=Col; fields: ${CSV_MAP_FIELDS.join(', ')})`)
    .action(act((g, paths: string[], o: { channels?: string[]; map?: string }) => cmdImport(g, paths, o)));

  program
    .command('search')
    .description('keywords and meaning (hybrid when a model is installed)')
    .argument('<query...>', 'what you are looking for')
    .option('-n, --limit <n>', 'how many documents', numberish)
    .option('--since <date>', 'occurred on or after (YYYY-MM-DD or ISO 8601)')
    .option('--until <date>', 'occurred on or before')
    .addOption(kindOption())
    .option('--source <path>', 'imported from under this folder or archive')
    .option('--service <name>', 'names this service')
    .option('--person <name>', 'names this person')
    .option('--error <text>', 'names this error signature')
    .action(
      act(async (g, words: string[], o: { limit?: number; since?: string; until?: string; kind?: string[]; source?: string; service?: string; person?: string; error?: string }) => {
        const query = words.join(' ');
        if (!query.trim()) throw new (await errors()).HindsightError('usage', 'Give a query: hindsight search "what you are looking for"');
        const input = { query, limit: o.limit ?? 10, since: o.since, until: o.until, kinds: o.kind as never, sourcePrefix: o.source ? resolve(o.source) : undefined, service: o.service, person: o.person, error: o.error };
        return withService(
          g,
          'search',
          async (api) => {
            const r = await api.invoke('search', input, { name: cliNames });
            if (g.json) printJson(r);
            else print.printSearch(r);
            return EXIT.ok;
          },
          { input },
        );
      }),
    );

  program
    .command('show')
    .description('a document with its entities and links')
    .argument('<id>', 'a document id (from search results)', numberish)
    .action(
      act((g, id: number) =>
        withService(g, 'show', async (api) => {
          const doc = await api.invoke('show', { id }, { name: () => 'the document id' });
          if (!doc) throw new (await errors()).HindsightError('not-found', `There is no document #${id}.`);
          if (g.json) printJson(doc);
          else print.printShow(doc);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('incident')
    .description('an incident: its records, fields (each with where it was read), timeline and linked incidents')
    .argument('<id>', 'an incident id (from similar, patterns or show)', numberish)
    .action(
      act((g, id: number) =>
        withService(g, 'incident', async (api) => {
          const v = await api.invoke('incident', { id }, { name: () => 'the incident id' });
          if (!v) throw new (await errors()).HindsightError('not-found', `There is no incident #${id}.`);
          if (g.json) printJson(v);
          else print.printIncident(v);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('playbook')
    .description('what usually fixes it, across past incidents: for a failure mode, a service, a pattern, or incidents like a text or record')
    .option('--failure-mode <id>', 'a failure mode (certificate-expiry, dns, ...; see config/failure-modes.yaml)')
    .option('--service <name>', 'a service')
    .option('--pattern <n>', 'a theme number from `hindsight patterns`', numberish)
    .option('--text <text>', 'incidents like this description')
    .option('--id <n>', 'incidents like this imported record', numberish)
    .option('--since <date>', 'incidents on or after')
    .option('--until <date>', 'incidents on or before')
    .action(
      act((g, o: { failureMode?: string; service?: string; pattern?: number; text?: string; id?: number; since?: string; until?: string }) =>
        withService(g, 'playbook', async (api) => {
          const p = await api.invoke('playbook', o, { name: cliNames });
          if (g.json) printJson(p);
          else print.printPlaybook(p);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('similar')
    .description('past incidents like this one, why, and what fixed them')
    .option('--text <text>', 'what you see: a symptom, chat lines, an alert, a draft postmortem')
    .option('--file <path>', 'a file to read as the new incident')
    .option('--id <n>', 'an imported document', numberish)
    .option('-n, --limit <n>', 'how many incidents', numberish)
    .addOption(kindOption())
    .action(
      act((g, o: { text?: string; file?: string; id?: number; limit?: number; kind?: string[] }) => {
        const input = { text: o.text, file: o.file ? resolve(o.file) : undefined, id: o.id, limit: o.limit ?? 10, kinds: o.kind as never };
        return withService(
          g,
          'similar',
          async (api) => {
            const r = await api.invoke('similar', input, { name: cliNames });
            if (g.json) printJson(r);
            else print.printSimilar(r);
            return EXIT.ok;
          },
          { input },
        );
      }),
    );

  program
    .command('patterns')
    .description('recurring themes, and the services and errors that recur most')
    .option('--since <date>', 'occurred on or after')
    .option('--until <date>', 'occurred on or before')
    .addOption(kindOption())
    .option('-n, --limit <n>', 'how many themes', numberish)
    .option('--min-size <n>', 'smallest theme', numberish)
    .action(
      act((g, o: { since?: string; until?: string; kind?: string[]; limit?: number; minSize?: number }) =>
        withService(g, 'patterns', async (api) => {
          const r = await api.invoke('patterns', { since: o.since, until: o.until, kinds: o.kind as never, limit: o.limit ?? 20, minSize: o.minSize }, { name: cliNames });
          if (g.json) printJson(r);
          else print.printPatterns(r);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('experts')
    .description('who handled the most similar incidents')
    .option('--text <text>', 'the incident, in words')
    .option('--id <n>', 'an imported document', numberish)
    .option('-n, --limit <n>', 'how many people', numberish)
    .action(
      act((g, o: { text?: string; id?: number; limit?: number }) => {
        const input = { text: o.text, id: o.id, limit: o.limit ?? 10 };
        return withService(
          g,
          'experts',
          async (api) => {
            const r = await api.invoke('experts', input, { name: cliNames });
            if (g.json) printJson(r);
            else print.printExperts(r);
            return EXIT.ok;
          },
          { input },
        );
      }),
    );

  program
    .command('stats')
    .description('what the database holds, model and index state')
    .action(
      act((g) =>
        withService(g, 'stats', async (api) => {
          const s = await api.invoke('stats', {});
          if (g.json) printJson(s);
          else print.printStats(s);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('reindex')
    .description('embed passages that have no vector yet (after installing a model)')
    .action(act((g) => cmdReindex(g)));

  program
    .command('serve')
    .description('the desktop UI in a browser, on 127.0.0.1 with a per-run token')
    .option('--port <n>', '0 picks a free port', numberish, 0)
    .option('--demo', 'a fresh database with the sample data imported', false)
    .action(
      act(async (g, o: { port: number | string; demo: boolean }) => {
        const db = program.opts<{ db?: string }>().db;
        const { serve } = await import('./serve.js');
        return serve({ db: db ? resolve(db) : null, port: o.port, demo: o.demo, quiet: g.quiet });
      }),
    );

  const model = program.command('model').description('the embedding model: status, fetch, import');
  model
    .command('status', { isDefault: true })
    .description('which embedding model is used, and why')
    .action(
      act((g) =>
        withService(g, 'modelStatus', async (api) => {
          const m = await api.invoke('modelStatus', {});
          if (g.json) printJson(m);
          else print.printModelStatus(m);
          return m.state.state === 'ready' ? EXIT.ok : (await errors()).exitCodeOf({ code: 'no-model', message: '' });
        }),
      ),
    );
  model
    .command('fetch')
    .description('download and verify a model (the only network access Hindsight makes)')
    .argument('[name]', 'gte-small (default) or all-MiniLM-L6-v2')
    .option('--dest <dir>', 'install into this folder (default: the user model folder)')
    .action(act((g, name: string | undefined, o: { dest?: string }) => cmdInstallModel(g, { download: name ?? '' }, o.dest)));
  model
    .command('import')
    .description('install a model from a folder (air-gapped machines)')
    .argument('<folder>', 'a model folder (config.json, tokenizer.json, onnx/)')
    .option('--dest <dir>', 'install into this folder (default: the user model folder)')
    .option('--allow-unverified', 'accept weights whose hash is not pinned (your own export)', false)
    .action(act((g, folder: string, o: { dest?: string; allowUnverified: boolean }) => cmdInstallModel(g, { folder: resolve(folder), allowUnverified: o.allowUnverified }, o.dest)));

  if (!argv.length) {
    program.outputHelp();
    return (await errors()).exitCodeOf({ code: 'usage', message: '' });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok; // --help, --version
      throw new (await errors()).HindsightError('usage', err.message.replace(/^error: /, ''), { hint: 'Run `hindsight --help` for the commands and their options.' });
    }
    throw err;
  }
  return code;
}

type Handler = (api: EngineService, events: Subscriptions) => Promise<number>;

/** Event listeners of one command (progress lines, the end of a job). */
class Subscriptions {
  private listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
  on<E extends ApiEvent>(event: E, fn: (p: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (p: unknown) => void);
    return () => set.delete(fn as (p: unknown) => void);
  }
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(payload);
  }
}

/**
 * Opens the service for one command, runs it, and closes the database cleanly whatever happens.
 * `input` is the command's contract input: checked before the no-model notice, so that a usage
 * error ("--limit must be between 1 and 100") comes alone rather than after a note about models.
 */
async function withService(g: Globals, method: 'search' | 'show' | 'incident' | 'similar' | 'playbook' | 'patterns' | 'experts' | 'stats' | 'modelStatus' | 'startImport' | 'startReindex' | 'installModel', fn: Handler, options: { modelsDir?: string; input?: unknown } = {}): Promise<number> {
  if (options.input !== undefined) (await import('../service/validation.js')).parseInput(method, options.input, cliNames);
  const { EngineService } = await import('../service/engine-service.js');
  const events = new Subscriptions();
  const service = await EngineService.open(
    { dbPath: g.db, shell: 'browser', version: packageVersion(), modelsDir: options.modelsDir, modelHost: process.env.HINDSIGHT_MODEL_HOST },
    (event, payload) => events.emit(event, payload),
  );
  try {
    if (['search', 'similar', 'experts', 'startImport'].includes(method) && !g.quiet) await lexicalNotice(service);
    return await fn(service, events);
  } finally {
    await service.close();
  }
}

/** Said once per command, on stderr, when there is no model: plainly what it means and what to do. */
async function lexicalNotice(service: EngineService): Promise<void> {
  const s = (await service.invoke('modelStatus', {})).state;
  if (s.state === 'ready') return;
  const why = s.state === 'error' ? s.message : 'No embedding model is installed.';
  const how = s.state === 'absent' ? s.howToInstall : '';
  process.stderr.write(`${style.dim(`Note: ${why} Semantic search is off; keyword search works. ${how}`.trim())}\n`);
}

/**
 * Ctrl+C and SIGTERM stop a job cleanly: the job is cancelled (what it wrote stays, marked
 * cancelled), and the command exits 130 or 143 once it has.
 */
function onInterrupt(cancel: () => Promise<unknown>): { signal: () => NodeJS.Signals | null; off: () => void } {
  let got: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (got) return;
    got = sig;
    process.stderr.write(`\n${sig === 'SIGINT' ? 'Stopping' : 'Terminated: stopping'} after the current document…\n`);
    void cancel();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: () => got,
    off: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function cmdImport(g: Globals, paths: string[], o: { channels?: string[]; map?: string }): Promise<number> {
  const { parseCsvMap } = await import('../import/tickets/csv-tickets.js');
  const input = { paths: paths.map((p) => resolve(p)), channels: o.channels, csvMap: o.map ? parseCsvMap(o.map, CSV_MAP_FIELDS) : undefined };
  return withService(g, 'startImport', async (api, events) => {
    if (!g.quiet) await showSlackChannels(api, input);
    const progress = new ProgressLine(!g.quiet);
    let importId = 0;
    const early: Array<ApiEvents['importDone']> = [];
    let settle: (d: ApiEvents['importDone']) => void = (d) => void early.push(d);
    const done = new Promise<ApiEvents['importDone']>((resolveDone) => {
      events.on('importDone', (d) => {
        if (importId && d.importId === importId) resolveDone(d);
        else settle(d);
      });
    });
    events.on('importProgress', (p) => {
      if (!importId || p.importId === importId) progress.importing(p);
    });
    const interrupt = onInterrupt(() => (importId ? api.invoke('cancelImport', { importId }) : Promise.resolve()));
    try {
      importId = (await api.invoke('startImport', input, { name: cliNames })).importId;
      settle = () => {};
      const result = early.find((d) => d.importId === importId) ?? (await done);
      progress.end();
      if (result.failure) throw (await errors()).fromContractError(result.failure);
      const summary = result.summary!;
      if (g.json) printJson(summary);
      else print.printImport(summary);
      const sig = interrupt.signal() ?? (await embedAfterImport(api, events, g));
      if (sig) return sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
      const nothing = !summary.documentsAdded && !summary.documentsUpdated && !summary.documentsUnchanged;
      return summary.errors.length || (nothing && summary.skipped.length) ? EXIT.partial : EXIT.ok;
    } finally {
      interrupt.off();
      progress.end();
    }
  }, { input });
}

/**
 * The import is searchable by its words already; with a model, its passages are embedded now,
 * with progress on stderr. Ctrl+C stops only the embedding: `hindsight reindex` goes on later.
 */
async function embedAfterImport(api: EngineService, events: Subscriptions, g: Globals): Promise<NodeJS.Signals | null> {
  if (!api.embedding) return null;
  const progress = new ProgressLine(!g.quiet);
  const off = events.on('indexProgress', (p) => progress.indexing(p));
  let ended: ApiEvents['indexDone'] | null = null;
  const offDone = events.on('indexDone', (d) => (ended = d));
  const interrupt = onInterrupt(() => api.invoke('cancelReindex', {}));
  try {
    await api.embeddingDone();
  } finally {
    off();
    offDone();
    interrupt.off();
    progress.end();
  }
  const r = ended as ApiEvents['indexDone'] | null;
  if (!g.quiet && r) {
    const { formatDuration } = await import('../common/time.js');
    if (r.failure) process.stderr.write(`Embedding failed: ${r.failure.message} Search works by keywords; run \`hindsight reindex\` to try again.\n`);
    else if (r.status === 'cancelled') process.stderr.write(`Embedding stopped after ${r.embedded} passages; everything is searchable by its words. Run \`hindsight reindex\` to go on.\n`);
    else process.stderr.write(`Embedded ${r.embedded} passages in ${formatDuration(r.durationMs / 1000)}.\n`);
  }
  return interrupt.signal();
}

/** Lists the channels of each Slack export before a long import, and which ones will be read. */
async function showSlackChannels(api: EngineService, input: { paths: string[]; channels?: string[] }): Promise<void> {
  const { formatBytes } = await import('../common/time.js');
  const preview = await api.invoke('previewImport', input, { name: cliNames });
  for (const s of preview.sources) {
    if (!s.channels?.length) continue;
    const chosen = s.channels.filter((c) => c.selected);
    const bytes = chosen.reduce((n, c) => n + c.bytes, 0);
    process.stderr.write(`Slack export ${s.source}: importing ${chosen.length} of ${s.channels.length} channels (${formatBytes(bytes)})\n`);
    const shown = s.channels.map((c) => `${c.selected ? '+' : '-'} #${c.name} (${c.days} ${c.days === 1 ? 'day' : 'days'})`);
    process.stderr.write(`  ${shown.slice(0, 40).join('  ')}${shown.length > 40 ? `  … ${shown.length - 40} more` : ''}\n`);
  }
}

async function cmdReindex(g: Globals): Promise<number> {
  return withService(g, 'startReindex', async (api, events) => {
    const { formatDuration } = await import('../common/time.js');
    const progress = new ProgressLine(!g.quiet);
    events.on('indexProgress', (p) => progress.indexing(p));
    const done = new Promise<ApiEvents['indexDone']>((r) => events.on('indexDone', r));
    const interrupt = onInterrupt(() => api.invoke('cancelReindex', {}));
    try {
      await api.invoke('startReindex', {});
      const r = await done;
      progress.end();
      if (r.failure) throw (await errors()).fromContractError(r.failure);
      if (g.json) printJson(r);
      else process.stdout.write(`${r.status === 'cancelled' ? 'Cancelled after embedding' : 'Embedded'} ${r.embedded} passages in ${formatDuration(r.durationMs / 1000)}.\n`);
      const sig = interrupt.signal();
      return sig ? (sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm) : EXIT.ok;
    } finally {
      interrupt.off();
    }
  });
}

async function cmdInstallModel(g: Globals, input: { download?: string; folder?: string; allowUnverified?: boolean }, dest: string | undefined): Promise<number> {
  return withService(
    g,
    'installModel',
    async (api, events) => {
      const progress = new ProgressLine(!g.quiet);
      events.on('modelProgress', (p) => {
        if (p.phase === 'downloading') progress.downloading(p.file, p.received, p.total);
      });
      const r = await api.invoke('installModel', input, { name: cliNames });
      progress.end();
      if (g.json) printJson(r);
      else {
        process.stdout.write(`Installed ${r.name} at ${r.path} (${r.verified ? 'weights verified' : 'UNVERIFIED weights'}).${r.pending ? ` ${r.pending} passages are waiting: run \`hindsight reindex\` to embed them.` : ''}\n`);
      }
      return EXIT.ok;
    },
    { modelsDir: dest ? resolve(dest) : userModelsDir() },
  );
}

/** Runs the CLI and sets the exit code; errors become one readable line (or a JSON error object with --json). */
export async function run(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (err) {
    const { exitCodeOf, toContractError } = await errors();
    const e: ContractError = toContractError(err);
    if (argv.includes('--json')) printJson({ error: e });
    process.stderr.write(`hindsight: ${e.message}\n${e.hint ? `${style.dim(e.hint)}\n` : ''}`);
    if (e.code === 'internal' && process.env.HINDSIGHT_DEBUG) console.error(err);
    code = exitCodeOf(e);
  }
  process.exitCode = code;
}

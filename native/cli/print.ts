/** How each result reads on a terminal (`--json` prints the contract's objects instead). */
import { formatBytes, formatDuration } from '../common/time.js';
import type { DocumentView, ExpertsResult, ImportSummary, ModelStatus, PatternsResult, SearchResult, SimilarResult, Stats } from '../contract.js';
import { renderSnippet, style } from './output.js';

const out = (s: string) => process.stdout.write(s);

export function printImport(s: ImportSummary): void {
  const docs = s.documentsAdded + s.documentsUpdated;
  const head =
    s.status === 'cancelled'
      ? `Cancelled after ${s.filesSeen} of ${s.filesTotal} files (${formatDuration(s.durationMs / 1000)}); what was imported is kept — run the same import again to go on: `
      : `Read ${s.filesSeen - s.filesFailed} of ${s.filesTotal} files in ${formatDuration(s.durationMs / 1000)}${s.filesFailed ? ` (${s.filesFailed} failed)` : ''}: `;
  out(
    `${head}${s.documentsAdded} new, ${s.documentsUpdated} updated, ${s.documentsUnchanged} unchanged documents; ` +
      `${s.chunksWritten} passages${s.semantic ? (s.chunksEmbedded < s.chunksWritten ? ' (searchable now; embedding follows)' : `, ${s.chunksEmbedded} embedded`) : ' (not embedded: no model)'}.\n`,
  );
  const formats = Object.entries(s.byFormat).map(([f, n]) => `${n} ${f}`).join(', ');
  if (formats) out(`By format: ${formats}.\n`);
  if (!docs && !s.documentsUnchanged && !s.errors.length && s.status === 'done') out('Nothing importable was found.\n');
  if (s.skipped.length) {
    out(`Skipped ${s.skipped.length} file${s.skipped.length === 1 ? '' : 's'} that ${s.skipped.length === 1 ? 'is' : 'are'} not incident records:\n`);
    for (const x of s.skipped.slice(0, 20)) out(`  - ${x.source}: ${x.reason}\n`);
    if (s.skipped.length > 20) out(style.dim(`  … ${s.skipped.length - 20} more (--json lists them all)\n`));
  }
  for (const e of s.errors) out(`${style.red('✗')} ${e.message}\n`);
}

export function printShow(doc: DocumentView): void {
  const when = [doc.occurredAt && `occurred ${doc.occurredAt.slice(0, 16).replace('T', ' ')}`, doc.resolvedAt && `resolved ${doc.resolvedAt.slice(0, 16).replace('T', ' ')}`].filter(Boolean).join(', ');
  out(`${style.bold(doc.title)}\n${style.dim(`#${doc.id} · ${doc.kind} · ${doc.format}${when ? ` · ${when}` : ''}`)}\n${style.dim(doc.url ?? doc.source)}\n\n${doc.body}\n`);
  if (doc.entities.length) {
    out(`\n${style.bold('Entities')}\n`);
    const byType = new Map<string, string[]>();
    for (const e of doc.entities) byType.set(e.type, [...(byType.get(e.type) ?? []), e.mentions > 1 ? `${e.name} ×${e.mentions}` : e.name]);
    for (const [type, names] of byType) out(`  ${type.padEnd(11)} ${names.slice(0, 25).join(', ')}${names.length > 25 ? ', …' : ''}\n`);
  }
  if (doc.links.length) {
    out(`\n${style.bold('Links')}\n`);
    for (const l of doc.links) {
      const arrow = l.direction === 'out' ? '→' : '←';
      const to = l.documentId ? `#${l.documentId} ${l.title}` : `${l.target} ${style.dim('(not imported)')}`;
      out(`  ${arrow} ${l.relation}: ${to}\n`);
    }
  }
}

export function printSearch(r: SearchResult): void {
  if (!r.hits.length) {
    out(`No documents match "${r.query}".\n`);
    return;
  }
  r.hits.forEach((h, i) => {
    const date = h.occurredAt ? h.occurredAt.slice(0, 10) : 'undated';
    out(`\n${style.bold(`${i + 1}. ${h.title}`)}  ${style.dim(`#${h.documentId} · ${h.kind} · ${date} · score ${h.score}`)}\n`);
    out(`   ${style.dim(h.source)}\n`);
    for (const s of h.snippets.slice(0, 1)) out(`   ${s.heading ? style.dim(`${s.heading}: `) : ''}${renderSnippet(s)}\n`);
  });
  out(`\n${style.dim(`${r.hits.length} of ${r.total} documents · ${r.mode} · ${r.tookMs} ms`)}\n`);
}

export function printSimilar(r: SimilarResult): void {
  const mark = { recurring: style.red('RECURRING'), related: style.bold('RELATED'), novel: style.bold('NOVEL') }[r.verdict.label];
  out(`${mark}  ${r.verdict.reason}\n`);
  if (r.input.terms.length) out(style.dim(`Read as: ${r.input.terms.slice(0, 10).join(', ')}${r.input.entities.length ? ` · ${r.input.entities.slice(0, 6).map((e) => e.name).join(', ')}` : ''}\n`));
  r.incidents.forEach((inc, i) => {
    const date = inc.occurredAt ? inc.occurredAt.slice(0, 10) : 'undated';
    const s = inc.score;
    const parts = [s.semantic === null ? null : `meaning ${s.semantic.toFixed(2)}`, `words ${s.lexical.toFixed(2)}`, `entities ${s.entities.toFixed(2)}`].filter(Boolean).join(', ');
    out(`\n${style.bold(`${i + 1}. ${inc.title}`)}  ${style.dim(`#${inc.documentId} · ${inc.kind} · ${date} · score ${s.total.toFixed(2)} (${parts})`)}\n`);
    const shared = [...inc.shared.services, ...inc.shared.errors, ...inc.shared.technologies];
    if (shared.length) out(`   Shared: ${shared.slice(0, 8).join(', ')}\n`);
    const pair = inc.passages[0];
    if (pair) out(`   Matches ${pair.match.heading || pair.match.role}: ${style.dim(pair.match.text.slice(0, 220))}\n`);
    if (inc.resolution) out(`   Fixed by (${inc.resolution.heading || 'resolution'}): ${inc.resolution.text.slice(0, 240)}\n`);
    if (inc.timeToResolveMinutes !== null) out(`   Time to resolve: ${formatDuration(inc.timeToResolveMinutes * 60)}\n`);
    if (inc.related.length) out(`   Related: ${inc.related.slice(0, 4).map((x) => `#${x.documentId} ${x.title} (${x.relation})`).join('; ')}\n`);
  });
  if (!r.incidents.length) out('No similar incidents found.\n');
}

export function printPatterns(r: PatternsResult): void {
  out(`${r.patterns.length} recurring themes across ${r.documents} documents (${r.mode}, ${r.tookMs} ms)\n`);
  for (const p of r.patterns) {
    const span = p.firstAt && p.lastAt ? `${p.firstAt.slice(0, 7)} → ${p.lastAt.slice(0, 7)}` : 'undated';
    out(`\n${style.bold(`${p.id}. ${p.label}`)}  ${style.dim(`${p.size} incidents · ${span}`)}\n`);
    for (const inc of p.incidents.slice(0, 6)) out(`   #${inc.documentId} ${inc.occurredAt?.slice(0, 10) ?? '          '} ${inc.title}\n`);
    if (p.incidents.length > 6) out(style.dim(`   … ${p.incidents.length - 6} more\n`));
  }
  if (r.topServices.length) out(`\nServices that recur: ${r.topServices.map((s) => `${s.name} (${s.documents})`).join(', ')}\n`);
  if (r.topErrors.length) out(`Errors that recur: ${r.topErrors.map((s) => `${s.name} (${s.documents})`).join(', ')}\n`);
}

export function printExperts(r: ExpertsResult): void {
  if (!r.experts.length) out('Nobody found: the similar incidents name no people (import Slack threads or tickets to know who handled them).\n');
  r.experts.forEach((e, i) => {
    out(`${style.bold(`${i + 1}. ${e.name}`)}  ${style.dim(`score ${e.score.toFixed(2)}`)}\n`);
    for (const inc of e.incidents.slice(0, 4)) out(`   ${inc.role} — #${inc.documentId} ${inc.title}\n`);
  });
}

export function printStats(s: Stats): void {
  const kinds = Object.entries(s.byKind).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const formats = Object.entries(s.byFormat).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const model =
    s.model.state === 'ready'
      ? `${s.model.name} (${s.model.verified ? 'verified' : 'UNVERIFIED weights'}) at ${s.model.path}`
      : s.model.state === 'error'
        ? `unusable: ${s.model.message}`
        : `none: search is lexical only. ${s.model.howToInstall}`;
  out(
    [
      `Database   ${s.databasePath} (${formatBytes(s.databaseBytes)})${s.readOnly ? ' — read-only' : ''}`,
      `Documents  ${s.documents} (${kinds}; ${formats})`,
      `Passages   ${s.chunks}`,
      `Model      ${model}`,
      `Vectors    ${s.index.embedded} embedded, ${s.index.pending} waiting${s.index.pending && s.model.state === 'ready' ? ' (run `hindsight reindex`)' : ''}; index ${s.index.health}`,
      `Last import ${s.lastImport ? `#${s.lastImport.id} ${s.lastImport.finishedAt ?? 'unfinished'}${s.lastImport.filesFailed ? `, ${s.lastImport.filesFailed} files failed` : ''}` : 'never'}`,
    ].join('\n') + '\n',
  );
}

export function printModelStatus(m: ModelStatus): void {
  const s = m.state;
  if (s.state === 'ready') out(`${s.name} ready (${s.verified ? 'weights verified' : 'UNVERIFIED weights'}) at ${s.path}\nModel id: ${s.modelId}\n`);
  else out(`${s.message}\n${s.state === 'absent' ? `${s.howToInstall}\n` : ''}`);
  out(style.dim(`Searched: ${m.searched.join(', ')}\n`));
}

/** How each result reads on a terminal (`--json` prints the contract's objects instead). */
import { formatBytes, formatDuration } from '../common/time.js';
import type { DocumentView, ExpertsResult, ImportSummary, IncidentView, ModelStatus, PatternsResult, Playbook, SearchResult, SimilarIncident, SimilarResult, Stats } from '../contract.js';
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
    // Not only files that are no incident records: a Slack export that --channels did not take is skipped too.
    out(`Skipped ${s.skipped.length} file${s.skipped.length === 1 ? '' : 's'}, each with the reason:\n`);
    for (const x of s.skipped.slice(0, 20)) out(`  - ${x.source}: ${x.reason}\n`);
    if (s.skipped.length > 20) out(style.dim(`  … ${s.skipped.length - 20} more (--json lists them all)\n`));
  }
  for (const e of s.errors) out(`${style.red('✗')} ${e.message}\n`);
}

export function printShow(doc: DocumentView): void {
  const incident = doc.incident ? ` · incident #${doc.incident.incidentId}${doc.incident.role === 'primary' ? '' : ` (${doc.incident.role})`}` : '';
  const when = [doc.occurredAt && `occurred ${doc.occurredAt.slice(0, 16).replace('T', ' ')}`, doc.resolvedAt && `resolved ${doc.resolvedAt.slice(0, 16).replace('T', ' ')}`].filter(Boolean).join(', ');
  out(`${style.bold(doc.title)}\n${style.dim(`#${doc.id} · ${doc.kind} · ${doc.format}${when ? ` · ${when}` : ''}${incident}`)}\n${style.dim(doc.url ?? doc.source)}\n\n${doc.body}\n`);
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

const minutes = (m: number | null) => (m === null ? null : formatDuration(m * 60));
const day = (at: string | null) => (at ? at.slice(0, 10) : 'undated');

export function printSimilar(r: SimilarResult): void {
  const mark = { recurring: style.red('RECURRING'), related: style.bold('RELATED'), novel: style.bold('NOVEL'), 'nothing-to-compare': style.bold('NOTHING TO COMPARE') }[r.verdict.label];
  out(`${mark}  ${r.verdict.reason}\n`);
  const read = [
    r.input.failureModes.length ? r.input.failureModes.map((m) => m.label).join(', ') : null,
    r.input.services.length ? r.input.services.join(', ') : null,
    r.input.terms.length ? r.input.terms.slice(0, 8).join(', ') : null,
  ].filter(Boolean);
  if (read.length) out(style.dim(`Read as: ${read.join(' · ')}\n`));
  const strong = r.incidents.filter((i) => i.strength === 'strong');
  const weak = r.incidents.filter((i) => i.strength === 'weak');
  strong.forEach((inc, i) => printIncidentMatch(inc, i + 1));
  if (weak.length) out(style.dim(`\n${weak.length} weak match${weak.length === 1 ? '' : 'es'}: ${weak.slice(0, 5).map((i) => `#${i.incident.incidentId} ${i.incident.title}`).join('; ')}${weak.length > 5 ? '; …' : ''}\n`));
  if (!r.incidents.length) out(r.verdict.label === 'nothing-to-compare' ? '' : 'No similar incidents found.\n');
  if (strong.length) printPlaybook(r.playbook, 'What fixed them');
}

function printIncidentMatch(inc: SimilarIncident, n: number): void {
  const s = inc.score;
  const parts = [s.semantic === null ? null : `meaning ${s.semantic.toFixed(2)}`, s.latent === null ? null : `latent ${s.latent.toFixed(2)}`, `words ${s.lexical.toFixed(2)}`, `entities ${s.entities.toFixed(2)}`].filter(Boolean).join(', ');
  const i = inc.incident;
  out(`\n${style.bold(`${n}. ${i.title}`)}  ${style.dim(`incident #${i.incidentId} · ${day(i.startedAt)} · ${i.records.length} record${i.records.length === 1 ? '' : 's'} · score ${s.total.toFixed(2)} (${parts})`)}\n`);
  const shared = [
    inc.shared.failureModes.length ? `failure mode ${inc.shared.failureModes.map((m) => m.label).join(', ')}` : null,
    inc.shared.services.length ? `service ${inc.shared.services.join(', ')}` : null,
    inc.shared.mechanism.length ? `mechanism “${inc.shared.mechanism.join('”, “')}”` : null,
    [...inc.shared.errors, ...inc.shared.technologies].length ? [...inc.shared.errors, ...inc.shared.technologies].slice(0, 6).join(', ') : null,
  ].filter(Boolean);
  if (shared.length) out(`   Shares: ${shared.join(' · ')}\n`);
  const pair = inc.passages[0];
  if (pair) out(`   Matches ${pair.match.heading || pair.match.role}: ${style.dim(pair.match.text.slice(0, 220))}\n`);
  if (inc.mitigation) out(`   Mitigated by: ${inc.mitigation.value.slice(0, 240)}\n`);
  const ttr = minutes(i.minutesToResolve);
  if (ttr) out(`   Time to resolve: ${ttr}\n`);
  const people = inc.people.filter((p) => p.role !== 'participant').slice(0, 4);
  if (people.length) out(`   People: ${people.map((p) => `${p.name} (${p.role})`).join(', ')}\n`);
  if (inc.related.length) out(`   ${inc.related.slice(0, 3).map((x) => `${x.direction === 'out' ? x.relation : x.relation === 'recurrence of' ? 'recurred in' : 'related to'} #${x.incidentId} ${x.title}`).join('; ')}\n`);
}

export function printPlaybook(p: Playbook, heading = `Playbook: ${p.subject}`): void {
  out(`\n${style.bold(heading)}${style.dim(` (${p.incidents.length} incident${p.incidents.length === 1 ? '' : 's'})`)}\n`);
  if (!p.incidents.length) return void out('   No incidents of this kind are imported.\n');
  for (const m of p.mitigations) out(`   ${m.action}${m.incidents.length > 1 ? ` ×${m.incidents.length}` : ''}  ${style.dim(m.incidents.map((i) => `#${i.incidentId}`).join(' '))}\n`);
  if (!p.mitigations.length) out(style.dim('   No record of these incidents says what stopped them.\n'));
  const flagged = p.actionItems.filter((a) => a.recurredAfter.length);
  for (const a of flagged.slice(0, 5)) out(`   ${style.red('!')} ${a.status === 'open' ? 'Still open' : 'Status unknown'}: “${a.text.slice(0, 120)}” (#${a.incident.incidentId}) — it happened again: ${a.recurredAfter.map((r) => `#${r.incidentId}`).join(' ')}\n`);
  const t = p.timeToResolve;
  if (t.medianMinutes !== null) out(`   Typical time to resolve: ${minutes(t.medianMinutes)} (${minutes(t.fastestMinutes)} to ${minutes(t.slowestMinutes)}, ${t.known} known)\n`);
}

export function printIncident(v: IncidentView): void {
  out(`${style.bold(v.title)}\n${style.dim(`incident #${v.incidentId} · ${day(v.startedAt)}${v.severity ? ` · ${v.severity}` : ''}${v.minutesToResolve !== null ? ` · resolved in ${minutes(v.minutesToResolve)}` : ''}`)}\n`);
  const f = v.fields;
  const line = (label: string, value: string | null | undefined) => value && out(`\n${style.bold(label)}\n   ${value.replace(/\s+/g, ' ').slice(0, 600)}\n`);
  if (v.failureModes.length) out(`Failure modes: ${v.failureModes.map((m) => m.label).join(', ')}\n`);
  if (v.services.length) out(`Services: ${v.services.join(', ')}\n`);
  line('Symptom', f.symptom?.value);
  line('Trigger', f.trigger?.value);
  line('Root cause', f.rootCause?.value);
  line('Mitigation', f.mitigation?.value);
  if (f.actionItems.length) {
    out(`\n${style.bold('Action items')}\n`);
    for (const a of f.actionItems.slice(0, 15)) out(`   [${a.value.status === 'done' ? 'x' : a.value.status === 'open' ? ' ' : '?'}] ${a.value.text.slice(0, 160)}${a.value.ticket ? style.dim(` (${a.value.ticket})`) : ''}\n`);
  }
  if (f.people.length) out(`\n${style.bold('People')}\n   ${f.people.map((p) => `${p.value.name} (${p.value.role})`).join(', ')}\n`);
  out(`\n${style.bold('Records')}\n`);
  for (const r of v.records) out(`   #${r.documentId} ${r.kind}${r.role === 'primary' ? '' : ` (${r.role})`} · ${day(r.occurredAt)} · ${r.title}\n`);
  if (v.links.length) {
    out(`\n${style.bold('Linked incidents')}\n`);
    for (const l of v.links) out(`   ${l.direction === 'out' ? l.relation : l.relation === 'recurrence of' ? 'recurred in' : 'related to'} #${l.incidentId} ${day(l.startedAt)} ${l.title}\n`);
  }
}

export function printPatterns(r: PatternsResult): void {
  out(`${r.patterns.length} recurring themes across ${r.incidents} incidents (${r.mode}, ${r.tookMs} ms)\n`);
  for (const p of r.patterns) {
    const span = p.firstAt && p.lastAt ? `${p.firstAt.slice(0, 7)} → ${p.lastAt.slice(0, 7)}` : 'undated';
    out(`\n${style.bold(`${p.id}. ${p.label}`)}  ${style.dim(`${p.size} incidents · ${span}`)}\n`);
    for (const inc of p.incidents.slice(0, 6)) out(`   #${inc.incidentId} ${inc.startedAt?.slice(0, 10) ?? '          '} ${inc.title}\n`);
    if (p.incidents.length > 6) out(style.dim(`   … ${p.incidents.length - 6} more\n`));
    const fixes = p.playbook.mitigations.slice(0, 2).map((m) => `${m.action}${m.incidents.length > 1 ? ` ×${m.incidents.length}` : ''}`);
    if (fixes.length) out(style.dim(`   Usually fixed by: ${fixes.join('; ')}\n`));
  }
  if (r.topFailureModes.length) out(`\nFailure modes that recur: ${r.topFailureModes.map((s) => `${s.label} (${s.incidents})`).join(', ')}\n`);
  if (r.topServices.length) out(`Services that recur: ${r.topServices.map((s) => `${s.name} (${s.incidents})`).join(', ')}\n`);
}

export function printExperts(r: ExpertsResult): void {
  if (!r.experts.length) out('Nobody found: the similar incidents name no people (import Slack threads or tickets to know who handled them).\n');
  r.experts.forEach((e, i) => {
    out(`${style.bold(`${i + 1}. ${e.name}`)}  ${style.dim(`score ${e.score.toFixed(2)}`)}\n`);
    for (const inc of e.incidents.slice(0, 4)) out(`   ${inc.role} — incident #${inc.incidentId} ${day(inc.startedAt)} ${inc.title}\n`);
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

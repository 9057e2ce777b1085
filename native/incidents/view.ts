/** Incidents as callers see them: summaries for lists, the whole view for the incident page. */
import type { DocumentKind, IncidentSummary, IncidentView } from '../contract.js';
import type { IncidentRow, Store } from '../store/store.js';
import { resolveTaxonomy, type Taxonomy, type TaxonomySource } from './taxonomy.js';

export class IncidentViews {
  constructor(
    private readonly store: Store,
    /** Read when a label or an extraction needs it (the engine parses its files on first use). */
    private readonly taxonomySource: TaxonomySource,
  ) {}

  private get taxonomy(): Taxonomy {
    return resolveTaxonomy(this.taxonomySource);
  }

  labelOf(id: string): string {
    return this.taxonomy.modes.find((m) => m.id === id)?.label ?? id;
  }

  /** Summaries of these incidents, in the order given (unknown ids are left out). */
  async summaries(ids: readonly number[]): Promise<IncidentSummary[]> {
    const rows = await this.store.incidents.get(ids);
    return this.summariesOf(ids.map((id) => rows.get(id)).filter((r): r is IncidentRow => !!r));
  }

  async summariesOf(rows: IncidentRow[]): Promise<IncidentSummary[]> {
    const docs = await this.store.documents.summaries(rows.flatMap((r) => r.records.map((m) => m.documentId)));
    return rows.map((r) => ({
      incidentId: r.id,
      title: r.title,
      startedAt: r.startedAt,
      resolvedAt: r.resolvedAt,
      severity: r.severity,
      minutesToDetect: r.minutesToDetect,
      minutesToResolve: r.minutesToResolve,
      services: r.fields.services.map((s) => s.value),
      failureModes: r.fields.failureModes.map((m) => ({ id: m.value, label: this.labelOf(m.value) })),
      records: r.records.flatMap((m) => {
        const d = docs.get(m.documentId);
        return d ? [{ documentId: d.id, title: d.title, kind: d.kind as DocumentKind, role: m.role, occurredAt: d.occurredAt }] : [];
      }),
    }));
  }

  /** One incident with its fields, links and timeline; null when there is no such incident. */
  async view(id: number): Promise<IncidentView | null> {
    const row = (await this.store.incidents.get([id])).get(id);
    if (!row) return null;
    const [summary] = await this.summariesOf([row]);
    const others = await this.store.incidents.get(row.links.map((l) => l.otherId));
    const f = row.fields;
    const timeline: IncidentView['timeline'] = [];
    const at = (label: string, v: typeof f.startedAt) => v && timeline.push({ at: v.value, text: label, from: v.from });
    at('Started', f.startedAt);
    at('Detected', f.detectedAt);
    at('Mitigated', f.mitigatedAt);
    at('Resolved', f.resolvedAt);
    for (const r of summary!.records) if (r.occurredAt) timeline.push({ at: r.occurredAt, text: `${r.kind === 'postmortem' ? 'Write-up' : r.kind === 'ticket' ? 'Ticket' : 'Conversation'}: ${r.title}`, from: { documentId: r.documentId, section: null } });
    timeline.sort((a, b) => a.at.localeCompare(b.at));
    return {
      ...summary!,
      fields: f,
      links: row.links.flatMap((l) => {
        const o = others.get(l.otherId);
        return o ? [{ incidentId: o.id, title: o.title, relation: l.relation, direction: l.direction, startedAt: o.startedAt }] : [];
      }),
      timeline,
    };
  }
}

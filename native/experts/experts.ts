import type { Expert, ExpertsResult, SimilarResult } from '../contract.js';
import type { Store } from '../store/store.js';

/**
 * The people who handled the incidents most like this one: in Slack threads by how much they
 * wrote where the fix was found (the last part of the thread), ticket assignees and reporters,
 * postmortem authors. Each person's score is the sum, over incidents, of the incident's
 * similarity times the weight of what they did there.
 */
export async function findExperts(store: Store, similar: SimilarResult, limit: number): Promise<ExpertsResult> {
  const started = performance.now();
  const people = new Map<string, { name: string; score: number; incidents: Expert['incidents'] }>();
  const credit = (name: string, weight: number, incident: { documentId: number; title: string }, role: string) => {
    const clean = name.trim();
    if (!clean || /^(unknown|unassigned|none)$/i.test(clean)) return;
    const key = clean.toLowerCase();
    const p = people.get(key) ?? { name: clean, score: 0, incidents: [] };
    p.score += weight;
    if (!p.incidents.some((i) => i.documentId === incident.documentId && i.role === role)) p.incidents.push({ ...incident, role });
    people.set(key, p);
  };
  const recordsOf = (inc: SimilarResult['incidents'][number]) => [inc.documentId, ...inc.related.filter((r) => r.relation === 'same incident').map((r) => r.documentId)];
  const all = similar.incidents.flatMap(recordsOf);
  const docs = await store.documents.summaries(all);
  const fieldPeopleOf = new Map<number, string[]>();
  for (const e of await store.entities.ofDocuments(all, ['person'])) {
    if (e.fromField) fieldPeopleOf.set(e.documentId, [...(fieldPeopleOf.get(e.documentId) ?? []), e.name]);
  }
  const fieldPeople = { all: (id: number) => fieldPeopleOf.get(id) ?? [] };
  for (const inc of similar.incidents) {
    const weight = inc.score.total;
    for (const id of recordsOf(inc)) {
      const d = docs.get(id);
      if (!d) continue;
      const meta = d.metadata;
      const ref = { documentId: inc.documentId, title: inc.title };
      if (d.kind === 'slack-thread') {
        const humans = (meta.participants ?? []).filter((p) => !p.bot);
        const resolving = humans.reduce((s, p) => s + (p.resolvingChars ?? 0), 0) || 1;
        const total = humans.reduce((s, p) => s + p.chars, 0) || 1;
        for (const p of humans) {
          const share = 2 * ((p.resolvingChars ?? 0) / resolving) + p.chars / total;
          credit(p.name, weight * share, ref, `wrote ${p.messages} message${p.messages === 1 ? '' : 's'} in the thread${(p.resolvingChars ?? 0) / resolving > 0.4 ? ', most of the resolution' : ''}`);
        }
      } else if (d.kind === 'ticket') {
        if (meta.assignee) credit(meta.assignee, weight * 3, ref, 'assignee');
        if (meta.reporter) credit(meta.reporter, weight * 1, ref, 'reporter');
        for (const name of fieldPeople.all(id)) {
          if (name !== meta.assignee && name !== meta.reporter) credit(name, weight * 1, ref, 'commented or responded');
        }
      } else {
        for (const name of fieldPeople.all(id)) credit(name, weight * 2, ref, 'postmortem author');
      }
    }
  }
  const experts = [...people.values()]
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((p) => ({ name: p.name, score: Math.round(p.score * 1000) / 1000, incidents: p.incidents }));
  return { experts, tookMs: Math.round(performance.now() - started) };
}

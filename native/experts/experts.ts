/**
 * Who knows: the people who handled incidents like this one, ranked by what they did there — a
 * lead or a resolver above an author, above a participant — each with one line per incident, so
 * that the evidence is the incidents themselves.
 */
import type { Expert, ExpertsResult, SimilarResult } from '../contract.js';
import { ROLE_WEIGHT } from '../incidents/build.js';
import type { Store } from '../store/store.js';

export async function findExperts(store: Store, similar: SimilarResult, limit: number): Promise<ExpertsResult> {
  const started = performance.now();
  const people = new Map<string, { name: string; score: number; incidents: Expert['incidents'] }>();
  const rows = await store.incidents.get(similar.incidents.map((i) => i.incident.incidentId));
  for (const inc of similar.incidents) {
    const row = rows.get(inc.incident.incidentId);
    if (!row) continue;
    // One line per person per incident: their strongest role there.
    const best = new Map<string, (typeof row.fields.people)[number]['value']>();
    for (const p of row.fields.people) {
      const key = p.value.name.toLowerCase();
      const had = best.get(key);
      if (!had || (ROLE_WEIGHT[p.value.role] ?? 1) > (ROLE_WEIGHT[had.role] ?? 1)) best.set(key, p.value);
    }
    // Weak matches count for little: they are listed, not evidence.
    const similarity = inc.score.total * (inc.strength === 'strong' ? 1 : 0.25);
    for (const [key, p] of best) {
      const e = people.get(key) ?? { name: p.name, score: 0, incidents: [] };
      e.score += similarity * (ROLE_WEIGHT[p.role] ?? 1);
      e.incidents.push({ incidentId: row.id, title: row.title, role: p.role, startedAt: row.startedAt });
      people.set(key, e);
    }
  }
  const experts = [...people.values()]
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((p) => ({ name: p.name, score: Math.round(p.score * 1000) / 1000, incidents: p.incidents }));
  return { experts, tookMs: Math.round(performance.now() - started) };
}

import type { DocumentKind, Expert, ExpertsResult, SimilarResult } from '../contract.js';
import type { Db } from '../store/database.js';

interface Participant {
  name: string;
  messages: number;
  chars: number;
  resolvingChars?: number;
  bot?: boolean;
}

/**
 * The people who handled the incidents most like this one: in Slack threads by how much they
 * wrote where the fix was found (the last part of the thread), ticket assignees and reporters,
 * postmortem authors. Each person's score is the sum, over incidents, of the incident's
 * similarity times the weight of what they did there.
 */
export function findExperts(db: Db, similar: SimilarResult, limit: number): ExpertsResult {
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
  const docStmt = db.prepare('SELECT id, title, kind, metadata FROM documents WHERE id = ?');
  const fieldPeople = db.prepare(
    `SELECT e.name FROM document_entities de JOIN entities e ON e.id = de.entity_id WHERE de.document_id = ? AND e.type = 'person' AND de.from_field = 1`,
  ).pluck();
  for (const inc of similar.incidents) {
    const weight = inc.score.total;
    const records = [inc.documentId, ...inc.related.filter((r) => r.relation === 'same incident').map((r) => r.documentId)];
    for (const id of records) {
      const d = docStmt.get(id) as { id: number; title: string; kind: DocumentKind; metadata: string } | undefined;
      if (!d) continue;
      const meta = JSON.parse(d.metadata) as { participants?: Participant[]; assignee?: string | null; reporter?: string | null };
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
        for (const name of fieldPeople.all(id) as string[]) {
          if (name !== meta.assignee && name !== meta.reporter) credit(name, weight * 1, ref, 'commented or responded');
        }
      } else {
        for (const name of fieldPeople.all(id) as string[]) credit(name, weight * 2, ref, 'postmortem author');
      }
    }
  }
  const experts = [...people.values()]
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((p) => ({ name: p.name, score: Math.round(p.score * 1000) / 1000, incidents: p.incidents }));
  return { experts, tookMs: Math.round(performance.now() - started) };
}

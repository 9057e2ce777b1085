/**
 * What usually fixes this — a playbook across past incidents: the mitigations that worked,
 * grouped when they are the same action ("roll back the deploy" ×3), each citing its incidents;
 * the action items those incidents raised, with their status, flagged where the failure came back
 * while an item stayed open; and how long such incidents take to resolve.
 */
import type { Playbook, PlaybookActionItem, PlaybookIncidentRef, PlaybookMitigation } from '../contract.js';
import type { IncidentRow } from '../store/store.js';
import { actionsOf, betterLabel, sameAction, type Action } from './actions.js';

/** Mitigations listed at most; examples kept per mitigation. */
const MAX_MITIGATIONS = 8;
const MAX_EXAMPLES = 3;
const MAX_ACTION_ITEMS = 20;

const ref = (r: IncidentRow): PlaybookIncidentRef => ({ incidentId: r.id, title: r.title, startedAt: r.startedAt });

export function buildPlaybook(subject: string, incidents: IncidentRow[]): Playbook {
  const ordered = [...incidents].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id - b.id);

  // Mitigations, grouped by action: each step of a mitigation is an action, and an incident is
  // cited once per action it took.
  const groups: Array<{ action: Action | null; mitigation: PlaybookMitigation }> = [];
  for (const r of ordered) {
    const m = r.fields.mitigation;
    if (!m) continue;
    const example = { text: m.value, incidentId: r.id, from: m.from };
    const actions = actionsOf(m.value);
    if (!actions.length) {
      groups.push({ action: null, mitigation: { action: firstWords(m.value), incidents: [ref(r)], examples: [example] } });
      continue;
    }
    for (const action of actions) {
      const group = groups.find((g) => g.action && sameAction(g.action, action));
      if (!group) {
        groups.push({ action, mitigation: { action: action.label, incidents: [ref(r)], examples: [example] } });
        continue;
      }
      group.action = betterLabel(group.action!, action);
      group.mitigation.action = group.action.label;
      if (group.mitigation.incidents.some((i) => i.incidentId === r.id)) continue;
      group.mitigation.incidents.push(ref(r));
      if (group.mitigation.examples.length < MAX_EXAMPLES) group.mitigation.examples.push(example);
    }
  }
  const mitigations = groups
    .map((g) => g.mitigation)
    .sort((a, b) => b.incidents.length - a.incidents.length || (b.incidents.at(-1)?.startedAt ?? '').localeCompare(a.incidents.at(-1)?.startedAt ?? ''))
    .slice(0, MAX_MITIGATIONS);

  // Action items, and whether the failure came back while one stayed open: a later incident of
  // the set that shares a failure mode (or cites it as a recurrence) happened after it.
  const actionItems: PlaybookActionItem[] = [];
  for (const r of ordered) {
    const modes = new Set(r.fields.failureModes.map((m) => m.value));
    const recurrences = ordered.filter(
      (o) =>
        o.id !== r.id &&
        (o.startedAt ?? '') > (r.startedAt ?? '') &&
        (o.links.some((l) => l.otherId === r.id && l.relation === 'recurrence of') || o.fields.failureModes.some((m) => modes.has(m.value))),
    );
    for (const item of r.fields.actionItems) {
      actionItems.push({
        text: item.value.text,
        status: item.value.status,
        ticket: item.value.ticket,
        incident: ref(r),
        recurredAfter: item.value.status === 'done' ? [] : recurrences.map(ref),
      });
    }
  }
  // Open items whose failure came back first: they are what a responder should look at.
  actionItems.sort((a, b) => b.recurredAfter.length - a.recurredAfter.length || rank(a.status) - rank(b.status));

  const ttr = ordered.map((r) => r.minutesToResolve).filter((m): m is number => m !== null).sort((a, b) => a - b);
  return {
    subject,
    incidents: ordered.map(ref),
    mitigations,
    actionItems: actionItems.slice(0, MAX_ACTION_ITEMS),
    timeToResolve: {
      // The middle value (of two, their mean): "typically 1h 28m" for 1h 28m and 3h 02m would undersell it.
      medianMinutes: ttr.length ? Math.round((ttr[Math.floor((ttr.length - 1) / 2)]! + ttr[Math.floor(ttr.length / 2)]!) / 2) : null,
      fastestMinutes: ttr[0] ?? null,
      slowestMinutes: ttr.at(-1) ?? null,
      known: ttr.length,
    },
  };
}

function rank(status: string): number {
  return status === 'open' ? 0 : status === 'unknown' ? 1 : 2;
}

function firstWords(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  return words.length > 8 ? `${words.slice(0, 8).join(' ')}…` : words.join(' ');
}

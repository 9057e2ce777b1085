import { ref, refsFromUrl } from '../entities/refs.js';
import type { Segment } from './outline.js';
import { clip, isPlaceholder, plain, units, type Unit } from './text.js';
import type { ActionItem, ActionStatus, IncidentRecord, Sourced } from './types.js';

const DONE_WORD = /^(done|closed|complete[d]?|finished|fixed|resolved|merged|shipped|deployed|released|implemented|yes|y|true|✅|✔|✔️|☑|☑️|✓)$/i;
const OPEN_WORD = /^(open|todo|to ?do|not started|in progress|in-progress|wip|pending|planned|backlog|ongoing|blocked|proposed|next|new|started|no|n|false|❌|⬜|☐)$/i;
/** Markers written into an item: "**DONE**", "(done)", "[TODO]", "✅". */
const DONE_MARK = /(^|\s|\*\*|\(|\[)(DONE|COMPLETED?|FIXED|RESOLVED|CLOSED)(\*\*|\)|\]|\s|\.|$)|^[✅✔☑✓]|\((done|completed|fixed|closed)\)/;
const OPEN_MARK = /(^|\s|\*\*|\(|\[)(TODO|TO DO|OPEN|IN PROGRESS|WIP|PENDING|PLANNED|NOT STARTED|BACKLOG)(\*\*|\)|\]|\s|\.|$)|^[❌⬜☐]|\((todo|open|in progress|planned|pending)\)/;
/** Ticket-key lookalikes that are not tickets. */
const NOT_TICKET = /^(CVE|CWE|GHSA|SHA|UTF|ISO|RFC|TLS|SSL|HTTP|HTTPS|AES|RSA|MD|PR|PM|SEV|P|V|X|T|Q|K|GC|EC|US|EU|AP|UTC|GMT|PST|PDT|CET|BST|IPV|AWS|GCP|EKS|AMI)$/;

const cellOf = (header: string[] | undefined, cells: string[] | undefined, re: RegExp): string | null => {
  if (!header || !cells) return null;
  const i = header.findIndex((h) => re.test(h));
  return i >= 0 ? (cells[i] ?? null) : null;
};

function statusOfWord(word: string | null): ActionStatus | null {
  if (!word) return null;
  const w = word.replace(/[*_`[\]()]/g, '').trim();
  if (!w) return null;
  if (DONE_WORD.test(w) || /^(done|closed|completed?|fixed|resolved)\b/i.test(w)) return 'done';
  if (OPEN_WORD.test(w) || /^(open|todo|to do|in progress|pending|planned|not started)\b/i.test(w)) return 'open';
  return null;
}

/** The status an item states: its checkbox, a status column, a marker in its text, its heading. */
function statusOf(u: Unit, raw: string, headingStatus: ActionStatus | null): ActionStatus {
  if (u.checkbox) return u.checkbox;
  const column = statusOfWord(cellOf(u.header, u.cells, /\b(status|state|done|progress)\b/));
  if (column) return column;
  const text = raw.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '');
  if (DONE_MARK.test(text)) return 'done';
  if (OPEN_MARK.test(text)) return 'open';
  return headingStatus ?? 'unknown';
}

/** The tracker record an item points at: a tracker URL, else a ticket key written in it. */
export function ticketOf(raw: string): string | null {
  for (const m of raw.matchAll(/\bhttps?:\/\/[^\s<>"'`)\]|]+/g)) {
    const found = refsFromUrl(m[0].replace(/[.,;:!?]+$/, '')).find((r) => /^(ticket|github|pagerduty|servicenow):/.test(r));
    if (found) return found;
  }
  const text = raw.replace(/\bhttps?:\/\/\S+/g, ' ');
  for (const m of text.matchAll(/\b([A-Z][A-Z0-9]{1,9})-(\d{1,7})\b/g)) if (!NOT_TICKET.test(m[1]!)) return ref.ticket(m[0]);
  const sn = /\b(INC|PRB|CHG|RITM)\d{6,}\b/.exec(text);
  return sn ? ref.servicenow(sn[0]) : null;
}

/** The words of an item without its status markers. */
function itemText(u: Unit): string {
  const fromColumn = cellOf(u.header, u.cells, /\b(action|item|task|description|title|what|follow|todo|improvement|remediation)\b/);
  const text = fromColumn ?? (u.cells ? u.cells.filter((c) => c && !statusOfWord(c)).join(' — ') : u.text);
  return clip(
    text
      .replace(/^[✅✔☑✓❌⬜☐]\uFE0F?\s*/u, '')
      .replace(/\s*(\*\*)?\b(DONE|TODO)\b(\*\*)?\.?\s*$/, '')
      .trim(),
    300,
  );
}

/**
 * Action items of a record: the rows and list items of its follow-up sections (checkbox lists,
 * tables with status columns, plain lists), or their paragraphs when they are prose. What was done
 * during the incident ("Immediate actions") is the mitigation, never an action item.
 */
export function actionItems(record: IncidentRecord, segments: Segment[]): Array<Sourced<ActionItem>> {
  const out: Array<Sourced<ActionItem>> = [];
  for (const s of segments) {
    if (s.kind !== 'actionItems') continue;
    const title = s.title ?? '';
    const headingStatus: ActionStatus | null = /\b(completed?|done|finished)\b/i.test(title) ? 'done' : /\b(planned|in[- ]progress|pending|open|next|todo)\b/i.test(title) ? 'open' : null;
    const us = units(record.body, s.start, s.end);
    const hasList = us.some((u) => u.kind === 'item' || u.kind === 'row');
    // Prose follow-ups are one item per paragraph; an inline "Action item:" label is one item.
    const groups: Unit[][] = [];
    for (const u of us) {
      if (hasList && u.kind === 'sentence') continue;
      const last = groups[groups.length - 1];
      if (u.kind === 'sentence' && last && last[0]!.kind === 'sentence' && (s.inline || last[0]!.block === u.block)) last.push(u);
      else groups.push([u]);
    }
    for (const g of groups) {
      const first = g[0]!;
      const lastUnit = g[g.length - 1]!;
      const raw = record.body.slice(first.start, lastUnit.end);
      const merged: Unit = { ...first, end: lastUnit.end, text: g.map((u) => u.text).join(' ') };
      const text = itemText(merged);
      // "We are committed to:" introduces the list; "- " and "Action item 1" are template leftovers.
      if (!text || isPlaceholder(text) || /:\s*$/.test(plain(raw)) || text.split(/\s+/).length < 2) continue;
      out.push({
        value: { text, status: statusOf(merged, raw, headingStatus), ticket: ticketOf(raw) },
        from: { documentId: record.documentId, section: s.heading, start: first.start, end: lastUnit.end },
      });
    }
  }
  return out;
}

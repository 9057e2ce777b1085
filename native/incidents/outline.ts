import { roleOfHeading } from '../chunk/section-roles.js';
import type { SectionRole } from '../contract.js';
import { BOLD_ALONE } from './text.js';
import { parseStamp } from './times.js';
import type { IncidentRecord, PersonRole } from './types.js';

/**
 * What a part of a write-up holds, finer than the chunker's section roles where extraction needs
 * it: "What went wrong" (a fallback for the root cause) is not "What went well"; "Immediate
 * actions" is the mitigation while "Review actions" are follow-ups; "Attendees" names people.
 */
export type FieldKind =
  | 'summary'
  | 'impact'
  | 'symptom'
  | 'timeline'
  | 'rootCause'
  | 'trigger'
  | 'contributing'
  | 'detection'
  | 'mitigation'
  | 'actionItems'
  | 'lessons'
  | 'lessonsWrong'
  | 'people'
  | 'comments'
  | 'other';

export interface Segment {
  /** Heading path, " > " separated (the H1 document title is left out under real sections). */
  heading: string | null;
  /** The segment's own heading or label. */
  title: string | null;
  kind: FieldKind;
  /** [start, end): the segment's own text, after its heading line or label. */
  start: number;
  end: number;
  /** Where its heading line starts. */
  headingStart: number;
  /** 1–6 for Markdown headings, 7 for bold labels, 8 for inline labels ("- **Impact**: ..."). */
  level: number;
  inline: boolean;
  /** For people headings ("Incident commander", "Attendees"): the role they name. */
  peopleRole: PersonRole | null;
}

const ROLE_KIND: Record<SectionRole, FieldKind> = {
  summary: 'summary',
  impact: 'impact',
  timeline: 'timeline',
  root_cause: 'rootCause',
  trigger: 'trigger',
  contributing_factors: 'contributing',
  detection: 'detection',
  resolution: 'mitigation',
  action_items: 'actionItems',
  lessons: 'lessons',
  other: 'other',
};

/** Headings that name people, with the role they give them. */
const PEOPLE_HEADINGS: Array<[PersonRole, RegExp]> = [
  ['lead', /^(incident (lead|commander|manager|owner|coordinator)|ic|commander|lead|tech(nical)? lead|response lead)$/],
  ['author', /^(authors?|written by|created by|prepared by|postmortem (owner|author)s?|document owner|owners?)$/],
  ['reporter', /^(reporters?|reported by|raised by|caller)$/],
  ['resolver', /^(resolvers?|resolved by|fixed by|assignee)$/],
  ['participant', /^(attendees?|atendees|participants?|responders?|people( involved)?|involved( parties)?|staff( present)?|team members?|who was involved|incident (team|responders|participants)|on-?call( engineers?)?|contributors)$/],
];

/** Ordered rules before the chunker's section roles; the first match decides. */
const RULES: Array<[FieldKind, RegExp]> = [
  ['other', /^(q ?& ?a|faq|appendi?n?x\b.*|apendix\b.*|.*\blogs?|stats|statistics|metadata|references?|links|supporting information|what should you do\??|additional sections.*|anything else|notes?|date|status|key|type|labels|components|services|created|time to (detect(ion)?|repair|resolve|resolution|recover(y)?|mitigat(e|ion)))$/],
  ['timeline', /\btime ?line\b/],
  ['mitigation', /\b(actions? taken|immediate (actions?|steps|remediation|fix(es)?|response|mitigation)|mitigation( steps)?|workarounds?|how (we|it was) (fixed|resolved|mitigated) it|how was it fixed|stop(ping)? the bleeding|resolution( steps| and recovery)?|recovery)\b/],
  ['actionItems', /\b(action items?|follow[- ]?ups?|next steps|corrective|prevent(ive|ative|ion|ing)?|to-?dos?|(long|short|medium)[- ]term|improvements?|recommendations?|remediation items|(review|planned|future|open|remaining|outstanding|follow[- ]?up|next) actions?)\b|^actions?$/],
  ['lessonsWrong', /\b(what went (wrong|badly|poorly)|went poorly|could have gone better|what didn'?t go (so )?well|what could (have gone|be) (better|improved))\b/],
  ['lessons', /\b(lessons?|learn(ed|ings?|t)|takeaways?|what went well|went well|where we got lucky|retrospective|reflections?|insights?|moving forward)\b/],
  ['rootCause', /\b(how did (it|this) happen|underlying (issue|cause|problem)|why (it|this) (failed|happened|broke)|technical (problem|cause)|identified cause)\b|^fault$/],
  // PagerDuty's and Atlassian's templates: what led up to it, what set it off.
  ['trigger', /^(lead-? ?up|triggering (event|change)|what triggered (it|this|the incident))$/],
  ['symptom', /^(symptoms?|identified|initial concerns?|type of incident( detected)?|what (users|customers|we) (saw|experienced|noticed)|user[- ]facing impact|customer impact|how (it was|we) (identified|noticed|detected))$/],
  ['detection', /\bwhy (it|this|we) (was ?n['’o]?t|wasn'?t|didn'?t|did not) (caught|detected|noticed|catch|detect)\b/],
  ['timeline', /\bkey events\b/],
];

function cleanHeading(title: string): string {
  return title
    .replace(/[*_`#]+/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[\s\d.)\-–—:]+/, '')
    .replace(/[\p{Extended_Pictographic}\uFE0F]/gu, '')
    .replace(/\s*[:：?]+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The role a people heading or label names ("Incident commander" → lead), or null. */
export function peopleRoleOf(title: string): PersonRole | null {
  const h = cleanHeading(title);
  for (const [role, re] of PEOPLE_HEADINGS) if (re.test(h)) return role;
  return null;
}

/** What a heading (or inline label) holds, or null when it names nothing we know. */
export function classifyHeading(title: string): FieldKind | null {
  const h = cleanHeading(title);
  if (!h || h.length > 120) return null;
  if (peopleRoleOf(h)) return 'people';
  if (/^comments?$/.test(h)) return 'comments';
  for (const [kind, re] of RULES) if (re.test(h)) return kind;
  const role = roleOfHeading(h);
  return role ? ROLE_KIND[role] : null;
}

const ATX = /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;
const SETEXT_UNDERLINE = /^\s*(=+|-{2,})\s*$/;
const LIST_MARK = /^\s*(?:[-*+•]|\d{1,3}[.)])\s/;
/** "- **Impact**: text", "**Severity:** Major", "__Initial Concerns__: text". */
const INLINE_LABEL = /^(\s*)(?:[-*+]\s+)?(\*\*|__)([^*_\n]{2,60}?)\s*:?\s*\2\s*:?\s*(\S.*)$/;
/** A ticket's rendered fields (`native/import/tickets/ticket.ts`): facts, not narrative. */
const TICKET_FACTS = /^(key|type|status|resolution|priority|severity|assignee|reporter|labels|components|services|created|resolved)$/i;
/** Inside these, bold labels are the items' own titles, not new sections. */
const NO_SPLIT: ReadonlySet<FieldKind> = new Set(['actionItems', 'lessons', 'lessonsWrong']);

interface Mark {
  pos: number;
  contentStart: number;
  level: number;
  title: string;
  inline: boolean;
  indent: number;
  /** For inline labels: where their value ends, and what they hold. */
  end?: number;
  kind?: FieldKind;
}

/**
 * The record's parts: one segment per heading's own text and per inline label, with the kind of
 * field it holds. Code fences and HTML comments are never headings.
 */
export function outline(record: Pick<IncidentRecord, 'body' | 'kind'>): Segment[] {
  const body = record.body;
  const lines = body.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  const marks: Mark[] = [];
  let inFence = false;
  let inComment = false;
  let sawH1 = false;
  const stackKinds: Array<{ level: number; kind: FieldKind | null }> = [];
  const currentKind = (): FieldKind | null => [...stackKinds].reverse().find((s) => s.kind)?.kind ?? null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (/<!--(?![\s\S]*-->)/.test(line)) {
      inComment = true;
      continue;
    }
    const next = lines[i + 1];
    let level = 0;
    let title = '';
    let contentStart = starts[i]! + line.length + 1;
    const atx = ATX.exec(line);
    if (atx) {
      level = atx[1]!.length;
      title = atx[2]!;
    } else if (line.trim() && next !== undefined && SETEXT_UNDERLINE.test(next) && !LIST_MARK.test(line) && !line.includes('|')) {
      level = next.trim().startsWith('=') ? 1 : 2;
      title = line.trim();
      contentStart = starts[i + 1]! + next.length + 1;
    } else {
      const bold = BOLD_ALONE.exec(line);
      const kindNow = currentKind();
      if (bold && (classifyHeading(bold[1]!) || peopleRoleOf(bold[1]!)) && !(kindNow && NO_SPLIT.has(kindNow) && classifyHeading(bold[1]!) !== 'actionItems')) {
        level = 7;
        title = bold[1]!;
      } else {
        const inl = INLINE_LABEL.exec(line);
        if (inl && inl[3]!.trim().split(/\s+/).length <= 5) {
          const label = inl[3]!.trim();
          const isFact = record.kind === 'ticket' && TICKET_FACTS.test(label);
          const kind = isFact ? 'other' : classifyHeading(label);
          if (kind && !(kindNow && NO_SPLIT.has(kindNow) && kind !== 'actionItems')) {
            const indent = inl[1]!.length;
            const valueStart = starts[i]! + line.length - inl[4]!.length;
            marks.push({ pos: starts[i]!, contentStart: valueStart, level: 8, title: label, inline: true, indent, end: inlineEnd(lines, starts, i, indent), kind });
            continue;
          }
        }
      }
    }
    if (!level) continue;
    if (level === 1 && !sawH1) sawH1 = true;
    while (stackKinds.length && stackKinds[stackKinds.length - 1]!.level >= level) stackKinds.pop();
    stackKinds.push({ level, kind: classifyHeading(title) });
    marks.push({ pos: starts[i]!, contentStart, level, title, inline: false, indent: line.length - line.trimStart().length });
    if (contentStart > starts[i]! + line.length + 1) i++;
  }
  return segmentsFrom(body, marks);
}

/** Where an inline label's value ends: the next line at its indent or less that starts something new. */
function inlineEnd(lines: string[], starts: number[], at: number, indent: number): number {
  let blank = false;
  for (let j = at + 1; j < lines.length; j++) {
    const l = lines[j]!;
    if (!l.trim()) {
      blank = true;
      continue;
    }
    const ind = l.length - l.trimStart().length;
    if (ind <= indent && (blank || LIST_MARK.test(l) || INLINE_LABEL.test(l) || /^\s{0,3}#/.test(l))) return starts[j]! - 1;
  }
  return starts[lines.length - 1]! + lines[lines.length - 1]!.length;
}

function segmentsFrom(body: string, marks: Mark[]): Segment[] {
  const out: Segment[] = [];
  const stack: Array<{ level: number; title: string; kind: FieldKind | null; people: PersonRole | null; indent: number }> = [];
  let firstH1 = true;
  const inherited = (): FieldKind | null => [...stack].reverse().find((h) => h.kind && h.level > 1)?.kind ?? null;
  const pathOf = (): string[] => {
    const deeper = stack.filter((h) => h.level > 1);
    return (deeper.length ? deeper : stack).map((h) => h.title);
  };
  const push = (s: Omit<Segment, 'heading'> & { path: string[] }) => {
    if (s.end <= s.start && !s.title) return;
    const { path, ...rest } = s;
    out.push({ ...rest, heading: path.length ? path.join(' > ') : null });
  };
  const firstPos = marks[0]?.pos ?? body.length;
  if (firstPos > 0) push({ path: [], title: null, kind: 'summary', start: 0, end: firstPos, headingStart: 0, level: 0, inline: false, peopleRole: null });
  for (let k = 0; k < marks.length; k++) {
    const m = marks[k]!;
    const nextPos = marks[k + 1]?.pos ?? body.length;
    const title = m.title.replace(/[*_`]+/g, '').replace(/\s*:\s*$/, '').trim();
    if (m.inline) {
      // "- **Impact**: ..." after "- **Key events**" is the next item of the same list, not inside it.
      while (stack.length && stack[stack.length - 1]!.level === 7 && stack[stack.length - 1]!.indent >= m.indent) stack.pop();
      const kind = m.kind ?? classifyHeading(title) ?? inherited() ?? 'other';
      const end = Math.min(m.end ?? nextPos, nextPos);
      push({ path: [...stack.filter((h) => h.level > 1).map((h) => h.title), title], title, kind, start: m.contentStart, end, headingStart: m.pos, level: 8, inline: true, peopleRole: peopleRoleOf(title) });
      if (end + 1 < nextPos && body.slice(end, nextPos).trim()) {
        // Text after the label's value belongs to the section around it again.
        const top = stack[stack.length - 1];
        push({ path: pathOf(), title: top?.title ?? null, kind: top ? (top.level === 1 && stack.length === 1 ? 'summary' : (top.kind ?? inherited() ?? 'other')) : 'summary', start: end, end: nextPos, headingStart: end, level: top?.level ?? 0, inline: false, peopleRole: top?.people ?? null });
      }
      continue;
    }
    while (stack.length && stack[stack.length - 1]!.level >= m.level) stack.pop();
    const own = classifyHeading(title);
    // The first H1 names the document; its words ("... outage") say nothing about a section.
    const isTitle = m.level === 1 && firstH1;
    if (m.level === 1) firstH1 = false;
    const kindOwn = isTitle ? null : own;
    stack.push({ level: m.level, title, kind: kindOwn, people: isTitle ? null : peopleRoleOf(title), indent: m.indent });
    // "## July 22" after "## Timeline" goes on with the timeline.
    const isStamp = !kindOwn && (parseStamp(title)?.length ?? 0) >= title.length - 2;
    const kind = isTitle ? 'summary' : (kindOwn ?? (isStamp && out[out.length - 1]?.kind === 'timeline' ? 'timeline' : null) ?? inherited() ?? 'other');
    push({ path: pathOf(), title, kind, start: Math.min(m.contentStart, nextPos), end: nextPos, headingStart: m.pos, level: m.level, inline: false, peopleRole: isTitle ? null : peopleRoleOf(title) });
  }
  return out;
}

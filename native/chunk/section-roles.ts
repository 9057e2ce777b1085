import type { SectionRole } from '../contract.js';

/**
 * Postmortem templates name the same sections in many ways ("What happened", "Root Cause
 * Analysis", "5 Whys", "Corrective and Preventative Measures"...). Rules are tried in order; the
 * first that matches a heading decides its role. Order matters: "Root cause of detection delay"
 * is a root cause, "Resolution and recovery" a resolution, "Immediate actions" a resolution
 * while "Action items" and "Long-term improvements" are action items.
 */
const RULES: Array<[SectionRole, RegExp]> = [
  ['action_items', /\b(action items?|actions? taken|follow[- ]?ups?|next steps|corrective|prevent(at)?ive|preventions?|to-?dos?|tasks?|long[- ]term|short[- ]term|improvements?|recommendations?|remediation items)\b/i],
  ['lessons', /\b(lessons?|learn(ed|ings?|t)|takeaways?|what went (well|wrong|badly)|went well|could have gone better|where we got lucky|retrospective|reflections?)\b/i],
  ['contributing_factors', /\b(contributing|factors?|aggravating)\b/i],
  ['trigger', /\btrigger(s|ed)?\b/i],
  ['root_cause', /\b(root[- ]?causes?|causes?|rca|5 whys|five whys|why did|why it happened|what went wrong|technical (details|analysis)|analysis|investigation|explanation|diagnosis|problem)\b/i],
  ['detection', /\b(detect(ion|ed)?|identif(ied|ication)|discover(y|ed)|how (was it|we) (found|noticed)|alert(s|ing)?|monitoring)\b/i],
  ['resolution', /\b(resol(ution|ved|ve)|mitigat(ion|ed|e)|remediat(ion|ed)|recover(y|ed)|repair(ed)?|fix(es|ed)?|workaround|restor(ation|ed)|immediate actions?|response|rollback|rolled back)\b/i],
  ['timeline', /\b(time ?line|chronology|sequence of events|key events|events|timestamps?|log of events)\b/i],
  ['impact', /\b(impact(ed)?|affected|blast radius|customer[- ]facing|severity|user[- ]facing|consequences?|scope|duration)\b/i],
  ['summary', /\b(summary|overview|tl;?dr|executive|abstract|description|what happened|incident details|background|context|introduction)\b/i],
];

/** The role a heading names, or null when it names none we know. */
export function roleOfHeading(heading: string): SectionRole | null {
  const h = heading.replace(/[*_`#:]+/g, ' ').trim();
  if (!h || h.length > 120) return null;
  for (const [role, re] of RULES) if (re.test(h)) return role;
  return null;
}

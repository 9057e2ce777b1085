/**
 * Stage 5: the verdict, as recurrence means to an engineer. "Recurring" when past incidents share
 * the failure mode and the mechanism (and the service, where both name one); "related" when they
 * share the failure mode, the symptom or a component; "novel" only when there are incidents to
 * compare and none is close; "nothing to compare" when (almost) nothing is imported.
 */
import type { SimilarIncident, SimilarResult } from '../contract.js';
import type { Confidence } from '../rank/confidence.js';

/** Below this many incidents there is nothing to call a pattern or a novelty. */
export const MIN_INCIDENTS = 3;
/** Share of the input's telling words that, with a shared failure mode, says "the same mechanism". */
const MECHANISM_COVERAGE = 0.45;
/** Share of the input's telling words a strong result must hold to be the same story told again. */
const STORY_COVERAGE = 0.55;
/** The first results the verdict looks at: a tenth result sharing a few words says nothing. */
const LOOK_AT = 3;

export function verdictOf(incidents: SimilarIncident[], confidence: Confidence, known: number, input: { services: Set<string> }): SimilarResult['verdict'] {
  const score = Math.round(confidence.score * 100) / 100;
  // With almost nothing imported, "new" would mean nothing: say so, unless something matches anyway.
  if (known === 0 || (known < MIN_INCIDENTS && !incidents.some((i) => i.strength === 'strong'))) {
    return {
      label: 'nothing-to-compare',
      reason: known ? `Only ${known} incident${known === 1 ? ' is' : 's are'} imported: there is too little to compare with. Import postmortems, Slack exports or tickets.` : 'Nothing is imported yet: import postmortems, Slack exports or tickets to compare with.',
      confidence: 0,
    };
  }
  const top = incidents.filter((i) => i.strength === 'strong').slice(0, LOOK_AT);
  const serviceOk = (i: SimilarIncident) => !input.services.size || !i.incident.services.length || i.shared.services.length > 0;
  const recurring = top.find((i) => i.shared.failureModes.length && (i.shared.mechanism.length || i.score.coverage >= MECHANISM_COVERAGE) && serviceOk(i));
  if (recurring) {
    const how = [recurring.shared.failureModes.map((m) => m.label.toLowerCase()).join(', '), recurring.shared.mechanism.length ? `“${recurring.shared.mechanism[0]}”` : ''].filter(Boolean).join(' — ');
    return { label: 'recurring', reason: `It has happened before: “${recurring.incident.title}” had the same failure (${how})${recurring.shared.services.length ? ` on ${recurring.shared.services.join(', ')}` : ''}.`, confidence: Math.max(score, 0.6) };
  }
  // The words alone can be close enough: the same story told again (the match evidence is high,
  // or a close result holds most of what makes the input distinctive).
  if (top[0] && (confidence.verdict === 'recurring' || top[0].score.coverage >= STORY_COVERAGE)) {
    return { label: 'recurring', reason: `It looks like it has happened before: “${top[0].incident.title}” matches what makes this incident distinctive (${Math.round(top[0].score.coverage * 100)}% of its telling words).`, confidence: score };
  }
  // Related needs no close match: the first results, weak ones too, sharing what failed or where.
  const related = top.find((i) => i.shared.failureModes.length || i.shared.services.length) ?? incidents.slice(0, LOOK_AT).find((i) => i.shared.failureModes.length || i.shared.services.length);
  if (related) {
    const what = related.shared.failureModes.length ? `the failure mode (${related.shared.failureModes.map((m) => m.label.toLowerCase()).join(', ')})` : `the service (${related.shared.services.join(', ')})`;
    return { label: 'related', reason: `Past incidents are related: “${related.incident.title}” shares ${what}, but not how it failed.`, confidence: score };
  }
  // The closest two past incidents failed the same way: the words found a kind of incident, even
  // where the input names no failure mode itself.
  const [first, second] = incidents;
  const kind = first && second ? first.incident.failureModes.find((m) => second.incident.failureModes.some((n) => n.id === m.id)) : undefined;
  if (kind) {
    return { label: 'related', reason: `The closest past incidents, “${first!.incident.title}” and “${second!.incident.title}”, both failed the same way (${kind.label.toLowerCase()}): this may be another.`, confidence: score };
  }
  // The words match well (or partly) but no result is close on what failed: related, not new.
  const closest = top[0] ?? incidents[0];
  if (confidence.verdict !== 'novel' && closest) {
    return { label: 'related', reason: `Past incidents share parts of this one (“${closest.incident.title}”), but none matches closely.`, confidence: score };
  }
  return {
    label: 'novel',
    reason: `No past incident of the ${known} imported is like this one: it looks new.${incidents.length ? ' The closest matches are listed as weak.' : ''}`,
    confidence: score,
  };
}

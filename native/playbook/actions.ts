/**
 * What a mitigation did, reduced to actions that can be compared across incidents: "we rolled
 * back the 14:02 deploy of payments-api" and "reverted the deploy" are the same action (roll back
 * · deploy); "raised the connection-pool limit to 200" and "increased max pool size" are too
 * (raise · pool limit). The verbs are kept as data: a table of how write-ups say each action.
 *
 * A mitigation often takes several steps ("restored the ingress rule, forced a renewal with
 * cmctl renew, and restarted the gateway"), and the step two incidents share need not be the
 * first either of them names: each step is an action of its own.
 */
import { porterStem } from '../rank/porter.js';
import { isStopword } from '../search/terms.js';

/**
 * Each action, the verb forms that say it (past, present, -ing and the nouns write-ups use: "a
 * restart of", "a rollback", "renewal"), and the things it usually acts on: when a step names no
 * object ("renewed with cmctl renew"), one of those named elsewhere in the mitigation is taken.
 */
const ACTIONS: Array<{ action: string; forms: string[]; usual?: string[] }> = [
  { action: 'roll back', forms: ['rolled back', 'rolling back', 'roll back', 'rollback', 'rollbacks', 'rolled-back', 'reverted', 'reverting', 'revert', 'downgraded', 'downgrading', 'downgrade'], usual: ['deploy', 'deployment', 'release', 'change', 'version', 'commit'] },
  { action: 'restart', forms: ['restarted', 'restarting', 'restart', 'restarts', 'rebooted', 'rebooting', 'reboot', 'bounced', 'recycled', 'relaunched'], usual: ['pod', 'pods', 'service', 'server', 'process', 'consumers'] },
  { action: 'raise', forms: ['increased', 'increasing', 'increase', 'raised', 'raising', 'raise', 'bumped', 'doubled'], usual: ['limit', 'timeout', 'memory', 'size'] },
  { action: 'lower', forms: ['decreased', 'reduced', 'reducing', 'lowered', 'lowering', 'throttled', 'rate-limited', 'rate limited'] },
  { action: 'scale down', forms: ['scaled down', 'scaling down', 'scale down', 'scaled in', 'scaling in'] },
  { action: 'scale up', forms: ['scaled up', 'scaled out', 'scaling up', 'scaling out', 'scale up', 'scale out', 'added capacity', 'added nodes', 'added more'] },
  { action: 'fail over', forms: ['failed over', 'failing over', 'fail over', 'failover', 'promoted'], usual: ['database', 'primary', 'replica'] },
  { action: 'renew', forms: ['renewed', 'renewing', 'renew', 'renewal', 'reissued', 're-issued', 'reissue', 're-issue', 'issued a new', 'issued new', 'issuing a new', 'rolled over', 'replaced the certificate', 'rotated', 'rotating', 'rotate', 'rotation'], usual: ['certificate', 'certificates', 'cert', 'certs', 'token', 'tokens', 'secret', 'secrets', 'key', 'keys', 'credentials', 'password', 'passwords'] },
  { action: 'disable', forms: ['disabled', 'disabling', 'disable', 'turned off', 'switched off', 'paused', 'pausing', 'suspended', 'stopped'] },
  { action: 'enable', forms: ['enabled', 're-enabled', 'enabling', 'turned on', 'switched on'] },
  { action: 'remove', forms: ['deleted', 'deleting', 'delete', 'removed', 'removing', 'remove', 'purged', 'cleaned up', 'freed up', 'pruned'] },
  { action: 'drain', forms: ['drained', 'draining', 'drain', 'cordoned', 'cordoning', 'cordon', 'evacuated'], usual: ['node', 'nodes'] },
  { action: 'restore', forms: ['restored', 'restoring', 'restore', 'reinstated', 'put back'] },
  { action: 'recreate', forms: ['recreated', 'recreating', 'recreate', 'rebuilt', 'rebuilding', 'reprovisioned', 'replaced', 'replacing'] },
  { action: 'upgrade', forms: ['upgraded', 'upgrading', 'upgrade', 'updated to', 'updating to', 'update to'], usual: ['version', 'chart', 'release'] },
  { action: 'redeploy', forms: ['redeployed', 're-deployed', 'redeploying', 'redeploy', 'deployed a fix', 'deployed the fix', 'hotfix', 'hotfixed', 'patched', 'rolled out a fix', 'released a fix', 'deployed'] },
  { action: 'revoke', forms: ['revoked', 'revoking', 'revoke', 'blocked', 'blocking', 'banned', 'locked'] },
  { action: 'reset', forms: ['reset', 'resetting', 'factory reset', 'wiped'] },
  { action: 'reconfigure', forms: ['reconfigured', 'reconfiguring', 'changed the config', 'updated the config', 'changed', 'updated', 'corrected', 'fixed', 'set'] },
  { action: 'move', forms: ['moved', 'migrated', 'migrating', 'switched', 'rerouted', 're-routed', 'redirected'] },
  { action: 'kill', forms: ['killed', 'killing', 'kill', 'terminated', 'terminating'] },
];

const FORMS = ACTIONS.flatMap((a) => a.forms.map((f) => ({ action: a.action, form: f }))).sort((a, b) => b.form.length - a.form.length);
// Not inside a hyphenated word: "replica-set" sets nothing.
const FORM_RE = new RegExp(`(?<![\\w-])(${FORMS.map((f) => f.form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s-]+')).join('|')})(?![\\w-])`, 'gi');
const USUAL = new Map(ACTIONS.map((a) => [a.action, a.usual ?? []]));

/** Words that say nothing about what was acted on. */
const FILLER = new Set(['we', 'the', 'a', 'an', 'it', 'this', 'that', 'them', 'all', 'some', 'our', 'its', 'their', 'back', 'up', 'out', 'over', 'again', 'then', 'finally', 'also', 'both', 'each', 'every', 'one', 'new', 'affected']);
/**
 * Words that end what the action acted on: instruments ("with cmctl renew", "via automation"),
 * times and places ("at 10:04", "in prod"), reasons and purposes, and the verbs a nominal action
 * takes ("roll back performed by hand", "a revert … was made").
 */
const OBJECT_END = new Set([
  'with', 'using', 'via', 'through', 'by', 'from', 'at', 'in', 'on', 'after', 'before', 'for', 'because', 'due', 'when', 'until', 'while',
  'which', 'who', 'so', 'that', 'since', 'during', 'as', 'within', 'once', 'but', 'and', 'or', 'then', 'if', 'instead', 'where',
  'was', 'were', 'is', 'are', 'be', 'been', 'being', 'has', 'have', 'had', 'got', 'gets', 'performed', 'made', 'done', 'applied',
  'required', 'attempted', 'needed', 'completed', 'conducted', 'carried', 'confirmed', 'verified', 'triggered', 'solved', 'resolved', 'fixed',
]);
/** Before a passive verb ("CoreDNS deployment manually downgraded", "the token was revoked"), what is not its object. */
const AUXILIARY = new Set(['was', 'were', 'is', 'are', 'be', 'been', 'being', 'has', 'have', 'had', 'got', 'gets', 'get', 'all', 'then', 'also', 'immediately', 'later']);
/** Someone acting: "we restarted …" is active, and the words before the verb are not its object. */
const AGENT = /\b(we|i|they|he|she|you|team|teams|engineers?|on-?call|someone|somebody|sre|ops|support|who|which)\b/i;
/** Actions whose "to …" names what they went to ("rolled back to the previous release"); for the others it says why. */
const TARGET_VERBS = new Set(['roll back', 'move', 'upgrade', 'scale up', 'scale down']);
/** "count started slowly increasing": something that happened, not a step anyone took. */
const OUTCOME_BEFORE = /\b(started|starts|began|begun|kept|keeps|continued|continues)\s+(\w+ly\s+)?$/i;
/** Where a clause ends: what comes after is another step. A dot inside a name ("max.poll.records") ends nothing. */
const CLAUSE_END = /[;:!?\n(]|\.(?!\w)|,\s|\s-\s|\bso\b|\bto\s+(?:restore|fix|mitigate|stop|resolve|allow|avoid|ensure|let|make)\b/i;

export interface Action {
  /** The comparable action ("roll back"). */
  verb: string;
  /** Stems of what it acted on (at most three content words). */
  object: string[];
  /** "roll back deploy", as shown. */
  label: string;
}

const MAX_ACTIONS = 4;

/** "manually", "quickly": how, not what. */
const isAdverb = (w: string) => w.length > 5 && w.endsWith('ly') && !/(?:pp|mb|mi|ma|fl)ly$/.test(w);

const contentWords = (text: string): string[] =>
  (text.toLowerCase().match(/[a-z][a-z0-9._/-]*[a-z0-9]|[a-z]/g) ?? []).filter((w) => !FILLER.has(w) && !isStopword(w) && !isAdverb(w));

/** The words a step acted on, after its verb: up to where an instrument, time, place or reason begins. */
function objectAfter(after: string, verb: string): string[] {
  const out: string[] = [];
  for (const raw of after.toLowerCase().split(/\s+/)) {
    const w = raw.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
    if (!w) continue;
    // "rolled back to the previous release": "to" names the target; later it ends the object.
    if (w === 'to' && (out.length || !TARGET_VERBS.has(verb))) break;
    if (OBJECT_END.has(w)) {
      if (out.length || !['was', 'were', 'is', 'are', 'be', 'been'].includes(w)) break;
      continue;
    }
    if (/^\d/.test(w)) {
      if (out.length) break;
      continue;
    }
    const kept = contentWords(w);
    if (kept.length) out.push(...kept);
    if (out.length >= 3) break;
  }
  return out.slice(0, 3);
}

/** Words that may open the noun phrase a passive step acted on ("the", "all", "those"). */
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'these', 'those', 'all', 'our', 'their', 'its', 'some', 'each', 'every', 'both']);

/**
 * A passive step's object: the noun phrase its clause opens with ("the Github token was revoked"
 * → github token; "CoreDNS deployment manually downgraded"). A clause that opens with anything
 * else ("forced a renewal with cmctl renew", "resolved by cordoning") has no object before its verb.
 */
function objectBefore(before: string): string[] {
  const clause = before.split(new RegExp(`${CLAUSE_END.source}|\\band\\b`, 'i')).at(-1) ?? '';
  if (AGENT.test(clause)) return [];
  const words = clause.toLowerCase().split(/\s+/).map((w) => w.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')).filter(Boolean);
  while (words.length && (AUXILIARY.has(words.at(-1)!) || isAdverb(words.at(-1)!))) words.pop();
  const first = words[0];
  const last = words.at(-1);
  if (!first || !last || DETERMINERS.has(last) || isStopword(last)) return [];
  if (/(?:ed|ing)$/.test(first) || (isStopword(first) && !DETERMINERS.has(first))) return [];
  return contentWords(words.slice(-3).join(' ')).filter((w) => !/^\d/.test(w));
}

/**
 * The actions a mitigation text names, in order, each once: the verb, and what it acted on — the
 * words after the verb, else (a passive step) the words before it, else a thing that action usually
 * acts on named elsewhere in the text.
 */
export function actionsOf(text: string): Action[] {
  const out: Action[] = [];
  FORM_RE.lastIndex = 0;
  const textWords = new Set(contentWords(text));
  for (let m = FORM_RE.exec(text); m && out.length < MAX_ACTIONS; m = FORM_RE.exec(text)) {
    const form = m[1]!.toLowerCase().replace(/[\s-]+/g, ' ');
    const verb = FORMS.find((f) => f.form.replace(/[\s-]+/g, ' ') === form)?.action ?? form;
    const after = text.slice(m.index + m[0].length).split(CLAUSE_END)[0] ?? '';
    if (OUTCOME_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
    let words = objectAfter(after, verb);
    if (!words.length) words = objectBefore(text.slice(0, m.index));
    if (!words.length) {
      const usual = USUAL.get(verb)?.find((w) => textWords.has(w));
      if (usual) words = [usual];
    }
    const action: Action = { verb, object: words.map((w) => porterStem(w)), label: [verb, ...words].join(' ') };
    const same = out.findIndex((a) => a.verb === verb);
    if (same < 0) out.push(action);
    else if (!out[same]!.object.length && action.object.length) out[same] = action;
  }
  return out;
}

/** The first action a mitigation text names, or null. */
export function actionOf(text: string): Action | null {
  return actionsOf(text)[0] ?? null;
}

/**
 * Whether two actions are the same: the same verb, and what they acted on overlaps — or one of
 * them does not say (a bare "renewed" is the renewal the other names).
 */
export function sameAction(a: Action, b: Action): boolean {
  if (a.verb !== b.verb) return false;
  if (!a.object.length || !b.object.length) return true;
  const sa = new Set(a.object);
  const shared = b.object.filter((w) => sa.has(w)).length;
  return shared / Math.min(a.object.length, b.object.length) >= 0.5;
}

/** Of two labels for one action, the one a person reads best: it names what was acted on, briefly. */
export function betterLabel(a: Action, b: Action): Action {
  if (!a.object.length !== !b.object.length) return a.object.length ? a : b;
  return b.object.length && b.object.length < a.object.length ? b : a;
}

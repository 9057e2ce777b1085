/**
 * What a mitigation did, reduced to an action that can be compared across incidents: "we rolled
 * back the 14:02 deploy of payments-api" and "reverted the deploy" are the same action (roll back
 * · deploy); "raised the connection-pool limit to 200" and "increased max pool size" are too
 * (raise · pool limit). The verbs are kept as data: a table of how write-ups say each action.
 */
import { porterStem } from '../rank/porter.js';
import { isStopword } from '../search/terms.js';

/** Each action, and the verb forms that say it (longest first when matched). */
const ACTIONS: Array<{ action: string; forms: string[] }> = [
  { action: 'roll back', forms: ['rolled back', 'rolling back', 'roll back', 'rollback', 'rolled-back', 'reverted', 'reverting', 'revert', 'downgraded', 'downgrade'] },
  { action: 'restart', forms: ['restarted', 'restarting', 'restart', 'rebooted', 'rebooting', 'reboot', 'bounced', 'recycled', 'relaunched'] },
  { action: 'raise', forms: ['increased', 'increasing', 'increase', 'raised', 'raising', 'raise', 'bumped', 'doubled'] },
  { action: 'lower', forms: ['decreased', 'reduced', 'reducing', 'lowered', 'lowering', 'throttled', 'rate-limited', 'rate limited'] },
  { action: 'scale up', forms: ['scaled up', 'scaled out', 'scaling up', 'scaling out', 'scale up', 'scale out', 'added capacity', 'added nodes', 'added more', 'scaled'] },
  { action: 'fail over', forms: ['failed over', 'failing over', 'fail over', 'failover', 'promoted'] },
  { action: 'renew', forms: ['renewed', 'renewing', 'renew', 'reissued', 're-issued', 'replaced the certificate', 'rotated', 'rotating', 'rotate'] },
  { action: 'disable', forms: ['disabled', 'disabling', 'disable', 'turned off', 'switched off', 'paused', 'pausing', 'suspended', 'stopped'] },
  { action: 'enable', forms: ['enabled', 're-enabled', 'enabling', 'turned on', 'switched on'] },
  { action: 'remove', forms: ['deleted', 'deleting', 'delete', 'removed', 'removing', 'remove', 'purged', 'cleaned up', 'cleared', 'freed up', 'pruned'] },
  { action: 'drain', forms: ['drained', 'draining', 'drain', 'cordoned', 'cordoning', 'cordon', 'evacuated'] },
  { action: 'redeploy', forms: ['redeployed', 're-deployed', 'redeploying', 'redeploy', 'deployed a fix', 'deployed the fix', 'hotfix', 'hotfixed', 'patched', 'rolled out a fix', 'released a fix', 'deployed'] },
  { action: 'revoke', forms: ['revoked', 'revoking', 'revoke', 'blocked', 'blocking', 'banned', 'locked'] },
  { action: 'reconfigure', forms: ['reconfigured', 'changed the config', 'updated the config', 'changed', 'updated', 'corrected', 'fixed', 'set'] },
  { action: 'move', forms: ['moved', 'migrated', 'switched', 'rerouted', 're-routed', 'redirected'] },
  { action: 'kill', forms: ['killed', 'killing', 'kill', 'terminated', 'terminating'] },
];

const FORMS = ACTIONS.flatMap((a) => a.forms.map((f) => ({ action: a.action, form: f }))).sort((a, b) => b.form.length - a.form.length);
const FORM_RE = new RegExp(`\\b(${FORMS.map((f) => f.form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s-]+')).join('|')})\\b`, 'i');
/** Words that say nothing about what was acted on. */
const FILLER = new Set(['we', 'the', 'a', 'an', 'it', 'this', 'that', 'them', 'all', 'some', 'our', 'its', 'their', 'back', 'up', 'out', 'over', 'again', 'manually', 'immediately', 'quickly', 'successfully', 'then', 'finally', 'temporarily']);

export interface Action {
  /** The comparable action ("roll back"). */
  verb: string;
  /** Stems of what it acted on (at most three content words after the verb). */
  object: string[];
  /** "roll back deploy", as shown. */
  label: string;
}

/** The first action a mitigation text names, or null. */
export function actionOf(text: string): Action | null {
  const m = FORM_RE.exec(text);
  if (!m) return null;
  const form = m[1]!.toLowerCase().replace(/[\s-]+/g, ' ');
  const verb = FORMS.find((f) => f.form.replace(/[\s-]+/g, ' ') === form)?.action ?? form;
  const after = text.slice(m.index + m[0].length).split(/[.;:!?\n(]|,\s|\band\b|\bwhich\b|\bso\b|\bto\s+(?:restore|fix|mitigate|stop|resolve)\b/i)[0] ?? '';
  // Keep identifiers whole (max.poll.interval.ms, payments-api): they are what was acted on.
  const words = (after.toLowerCase().match(/[a-z][a-z0-9._-]*[a-z0-9]|[a-z]/g) ?? []).filter((w) => !FILLER.has(w) && !isStopword(w) && !/^\d/.test(w));
  const objectWords = words.slice(0, 3);
  const object = objectWords.map((w) => porterStem(w));
  return { verb, object, label: [verb, ...objectWords].join(' ') };
}

/** Whether two actions are the same: the same verb, and what they acted on overlaps (or neither says). */
export function sameAction(a: Action, b: Action): boolean {
  if (a.verb !== b.verb) return false;
  if (!a.object.length || !b.object.length) return !a.object.length && !b.object.length;
  const sa = new Set(a.object);
  const shared = b.object.filter((w) => sa.has(w)).length;
  return shared / Math.min(a.object.length, b.object.length) >= 0.5;
}

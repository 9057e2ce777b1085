import { describe, expect, it } from 'vitest';
import type { SimilarIncident } from '../../../native/contract.js';
import type { Confidence } from '../../../native/rank/confidence.js';
import { verdictOf } from '../../../native/similar/verdict.js';

/** A result as the similar pipeline hands it to the verdict: what it shares, how strong, what it is. */
function result(o: { title: string; strength?: 'strong' | 'weak'; modes?: string[]; sharedModes?: string[]; sharedServices?: string[]; mechanism?: string[]; coverage?: number }): SimilarIncident {
  const mode = (id: string) => ({ id, label: id.replace(/-/g, ' ') });
  return {
    incident: { incidentId: 1, title: o.title, startedAt: null, resolvedAt: null, severity: null, minutesToDetect: null, minutesToResolve: null, services: o.sharedServices ?? [], failureModes: (o.modes ?? []).map(mode), records: [] },
    score: { semantic: null, latent: null, lexical: 0.5, entities: 0, coverage: o.coverage ?? 0.2, total: 0.5 },
    strength: o.strength ?? 'weak',
    shared: { failureModes: (o.sharedModes ?? []).map(mode), services: o.sharedServices ?? [], mechanism: o.mechanism ?? [], errors: [], technologies: [], other: [] },
    passages: [],
    mitigation: null,
    people: [],
    related: [],
  };
}
const LOW: Confidence = { evidence: 0.1, score: 0.15, verdict: 'novel' };
const input = { services: new Set<string>() };

describe('the verdict', () => {
  it('says there is nothing to compare with on an empty or nearly empty database', () => {
    expect(verdictOf([], LOW, 0, input).label).toBe('nothing-to-compare');
    expect(verdictOf([result({ title: 'a' })], LOW, 2, input).label).toBe('nothing-to-compare');
  });

  it('calls it recurring when a strong result shares the failure mode and the mechanism', () => {
    const v = verdictOf([result({ title: 'Cert expired', strength: 'strong', sharedModes: ['certificate-expiry'], mechanism: ['expired certificate'] })], LOW, 50, input);
    expect(v.label).toBe('recurring');
    expect(v.reason).toContain('Cert expired');
  });

  it('calls it recurring when a strong result holds most of what makes the input distinctive', () => {
    const same = verdictOf([result({ title: 'Kafka metrics missing', strength: 'strong', sharedServices: ['Kafka'], coverage: 0.9 })], LOW, 50, input);
    expect(same.label).toBe('recurring');
    const partly = verdictOf([result({ title: 'Kafka metrics missing', strength: 'strong', sharedServices: ['Kafka'], coverage: 0.4 })], LOW, 50, input);
    expect(partly.label).toBe('related');
  });

  it('calls it related when one of the first results shares a service, even a weak one', () => {
    const list = [result({ title: 'Ingress down', sharedServices: ['Ingress'] }), result({ title: 'other' })];
    const v = verdictOf(list, LOW, 50, input);
    expect(v.label).toBe('related');
    expect(v.reason).toContain('Ingress');
    // Further down the list, a shared service says nothing.
    const later = [result({ title: 'x' }), result({ title: 'y' }), result({ title: 'z' }), result({ title: 'Ingress down', sharedServices: ['Ingress'] })];
    expect(verdictOf(later, LOW, 50, input).label).toBe('novel');
  });

  it('calls it related when the two closest past incidents failed the same way', () => {
    const same = [result({ title: 'Logs lost', modes: ['log-shipping'] }), result({ title: 'Logs lost again', modes: ['log-shipping', 'config-push'] })];
    const v = verdictOf(same, LOW, 50, input);
    expect(v.label).toBe('related');
    expect(v.reason).toMatch(/Logs lost.*Logs lost again.*log shipping/);
    const apart = [result({ title: 'Logs lost', modes: ['log-shipping'] }), result({ title: 'DNS', modes: ['dns'] }), result({ title: 'Logs', modes: ['log-shipping'] })];
    expect(verdictOf(apart, LOW, 50, input).label).toBe('novel');
  });

  it('calls it related, not new, when the words match well but no result is close on what failed', () => {
    const HIGH: Confidence = { evidence: 2.4, score: 0.55, verdict: 'recurring' };
    const v = verdictOf([result({ title: 'Subnet routes lost' }), result({ title: 'other' })], HIGH, 50, input);
    expect(v.label).toBe('related');
    expect(v.reason).toContain('Subnet routes lost');
  });

  it('calls it novel when nothing close shares anything', () => {
    const v = verdictOf([result({ title: 'a', modes: ['dns'] }), result({ title: 'b' })], LOW, 50, input);
    expect(v.label).toBe('novel');
    expect(v.reason).toContain('50');
  });
  it('compares anyway on a nearly empty database when something matches strongly, and says how little there is otherwise', () => {
    const strong = verdictOf([result({ title: 'Cert expired', strength: 'strong', sharedModes: ['certificate-expiry'], mechanism: ['expired certificate'] })], LOW, 2, input);
    expect(strong.label).toBe('recurring');
    expect(verdictOf([], LOW, 1, input)).toEqual({ label: 'nothing-to-compare', confidence: 0, reason: expect.stringMatching(/^Only 1 incident is imported: there is too little to compare with\./) });
    expect(verdictOf([], LOW, 2, input).reason).toMatch(/^Only 2 incidents are imported/);
    expect(verdictOf([], LOW, 0, input).reason).toMatch(/^Nothing is imported yet/);
    // Three incidents are enough to call something new.
    expect(verdictOf([], LOW, 3, input).label).toBe('novel');
  });

  it('says what recurred: the failure mode, the mechanism and the service, with at least 0.6 confidence', () => {
    const v = verdictOf(
      [result({ title: 'Cert expired', strength: 'strong', modes: ['certificate-expiry'], sharedModes: ['certificate-expiry'], mechanism: ['expired certificate'], sharedServices: ['Ingress'] })],
      LOW,
      50,
      { services: new Set(['ingress']) },
    );
    expect(v).toEqual({ label: 'recurring', confidence: 0.6, reason: 'It has happened before: “Cert expired” had the same failure (certificate expiry — “expired certificate”) on Ingress.' });
    // Strong evidence keeps its own, higher confidence, rounded to two places.
    expect(verdictOf([result({ title: 'Cert expired', strength: 'strong', sharedModes: ['certificate-expiry'], mechanism: ['x'] })], { ...LOW, score: 0.8349 }, 50, input).confidence).toBe(0.83);
  });

  it('names each shared failure mode apart when a recurrence shares several', () => {
    const v = verdictOf([result({ title: 'Cert expired', strength: 'strong', sharedModes: ['certificate-expiry', 'dns-failure'], mechanism: ['expired certificate'] })], LOW, 50, input);
    expect(v.label).toBe('recurring');
    // Each one readable as its own words, not run together.
    expect(v.reason).toMatch(/\bcertificate expiry\b/);
    expect(v.reason).toMatch(/\bdns failure\b/);
  });

  it('does not call it recurring on a shared failure mode when the input and the result name different services', () => {
    const other = result({ title: 'Cert expired on the API', strength: 'strong', sharedModes: ['certificate-expiry'], mechanism: ['expired certificate'] });
    other.incident.services = ['API gateway'];
    const v = verdictOf([other], LOW, 50, { services: new Set(['ingress']) });
    expect(v.label).toBe('related');
    expect(v.reason).toBe('Past incidents are related: “Cert expired on the API” shares the failure mode (certificate expiry), but not how it failed.');
  });

  it('takes a shared failure mode with most of the telling words (45 %) as the same mechanism', () => {
    const at = (coverage: number) => verdictOf([result({ title: 'Disk full', strength: 'strong', sharedModes: ['disk-full'], coverage })], LOW, 50, input).label;
    expect(at(0.45)).toBe('recurring');
    expect(at(0.44)).toBe('related');
    // Without a shared failure mode, it takes 55 % of the telling words.
    const story = (coverage: number) => verdictOf([result({ title: 'Disk full', strength: 'strong', coverage })], LOW, 50, input);
    expect(story(0.55)).toMatchObject({ label: 'recurring', reason: 'It looks like it has happened before: “Disk full” matches what makes this incident distinctive (55% of its telling words).' });
    expect(story(0.54).label).toBe('novel');
  });

  it('looks at the first three strong results only', () => {
    const weakTop = [1, 2, 3].map((k) => result({ title: `strong ${k}`, strength: 'strong' }));
    const fourth = result({ title: 'Cert expired', strength: 'strong', sharedModes: ['certificate-expiry'], mechanism: ['expired certificate'] });
    expect(verdictOf([...weakTop, fourth], LOW, 50, input).label).toBe('novel');
    expect(verdictOf([...weakTop.slice(0, 2), fourth], LOW, 50, input).label).toBe('recurring');
  });

  it('names the shared service when that is all a related result shares, and what to do when nothing is close', () => {
    expect(verdictOf([result({ title: 'Ingress down', sharedServices: ['Ingress', 'DNS'] })], LOW, 50, input).reason).toBe(
      'Past incidents are related: “Ingress down” shares the service (Ingress, DNS), but not how it failed.',
    );
    expect(verdictOf([result({ title: 'a' })], { ...LOW, score: 0.151 }, 7, input)).toEqual({
      label: 'novel',
      confidence: 0.15,
      reason: 'No past incident of the 7 imported is like this one: it looks new. The closest matches are listed as weak.',
    });
    expect(verdictOf([], LOW, 7, input).reason).toBe('No past incident of the 7 imported is like this one: it looks new.');
  });
});

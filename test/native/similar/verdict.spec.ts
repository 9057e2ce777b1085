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
});

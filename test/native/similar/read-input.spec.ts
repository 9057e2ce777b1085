import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../../native/incidents/taxonomy.js';
import { textInput } from '../../../native/similar/read-input.js';

const taxonomy = loadTaxonomy();
const modes = (text: string) => textInput(text, taxonomy).fields.failureModes.map((m) => m.value);

describe('a new incident given as free text', () => {
  it('takes one strong cue of a short description as its failure mode', () => {
    // One cluster-upgrade cue outside the first line: too little in a write-up's summary, enough here.
    expect(modes('Ingress pods crash on start since last night.\n\nWe upgraded the EKS cluster an hour before it began.')).toEqual(['cluster-upgrade']);
  });

  it('still names no failure mode from generic words alone', () => {
    expect(modes('Checkout is slow since this morning.\n\nWe deployed an hour before it began and errors are everywhere.')).toEqual([]);
  });

  it('reads a structured draft (headings) as a write-up, section by section', () => {
    const draft = '# Outage\n\n## Summary\n\nPods were slow.\n\n## Root cause\n\nThe TLS certificate expired: x509 certificate has expired.\n';
    expect(modes(draft)).toContain('certificate-expiry');
  });

  it('keeps no blank passage: blank text is no passage to compare', () => {
    expect(textInput('   \n\t ', taxonomy).passages).toEqual([]);
    const draft = textInput('# Outage\n\n## Summary\n\n## Root cause\n\nThe TLS certificate expired.\n', taxonomy);
    expect(draft.passages.length).toBeGreaterThan(0);
    for (const p of draft.passages) expect(p.text.trim()).not.toBe('');
  });
});

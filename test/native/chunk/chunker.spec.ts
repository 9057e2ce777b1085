import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkMarkdown } from '../../../native/chunk/chunker.js';
import { roleOfHeading } from '../../../native/chunk/section-roles.js';
import { estimateTokens } from '../../../native/chunk/tokens.js';
import { splitFrontMatter } from '../../../native/import/front-matter.js';
import { CORPUS } from '../../support/generated-models.js';

describe('section roles', () => {
  it.each([
    ['Summary', 'summary'],
    ['Issue Summary', 'summary'],
    ['What happened', 'summary'],
    ['Customer Impact', 'impact'],
    ['Timeline (all times PT )', 'timeline'],
    ['Key events', 'timeline'],
    ['Root Cause Analysis', 'root_cause'],
    ['5 Whys', 'root_cause'],
    ['Trigger', 'trigger'],
    ['Contributing Factors', 'contributing_factors'],
    ['How was it detected?', 'detection'],
    ['Identified', 'detection'],
    ['Resolution and recovery', 'resolution'],
    ['Mitigation', 'resolution'],
    ['Immediate Actions (Completed)', 'resolution'],
    ['Action Items', 'action_items'],
    ['Corrective and Preventative Measure', 'action_items'],
    ['Follow-up tasks', 'action_items'],
    ['Lessons Learned', 'lessons'],
    ['What went well?', 'lessons'],
  ])('%s → %s', (heading, role) => {
    expect(roleOfHeading(heading)).toBe(role);
  });

  it('names no role for headings that are not sections', () => {
    expect(roleOfHeading('Attendees')).toBeNull();
    expect(roleOfHeading('Appendix')).toBeNull();
  });
});

describe('chunkMarkdown', () => {
  it('follows sections, keeps heading paths and roles, and offsets into the body', () => {
    const body = [
      '# Payment API outage',
      '',
      'Payments failed for 40 minutes.',
      '',
      '## Root Cause',
      '',
      'A certificate expired on the gateway.',
      '',
      '### Why it was not caught',
      '',
      'No alert on certificate expiry for the internal CA at all, and nobody looked.',
      '',
      '## Action Items',
      '',
      '- Add expiry alerts for every certificate we own and rotate them automatically.',
    ].join('\n');
    const chunks = chunkMarkdown(body, { maxTokens: 320, minTokens: 0 });
    expect(chunks.map((c) => [c.heading, c.role])).toEqual([
      ['Payment API outage', 'summary'],
      ['Root Cause', 'root_cause'],
      ['Root Cause > Why it was not caught', 'root_cause'],
      ['Action Items', 'action_items'],
    ]);
    for (const c of chunks) expect(body.slice(c.start, c.end).trim()).toBe(c.text);
    expect(chunks.map((c) => c.ord)).toEqual([0, 1, 2, 3]);
  });

  it('treats bold list labels that name a section as headings (MOJ template)', () => {
    const body = '# Incident on 2024-01-01\n\n- **Impact**:\n\nAll ingress failed.\n\n- **Resolution**:\n\nRolled back the ingress controller.';
    const chunks = chunkMarkdown(body, { maxTokens: 320, minTokens: 0 });
    expect(chunks.map((c) => c.role)).toEqual(['impact', 'resolution']);
    // The title line has nothing under it: it joins the first section rather than stand alone.
    expect(chunks[0]!.text.startsWith('# Incident on 2024-01-01')).toBe(true);
  });

  it('splits long sections on paragraph boundaries within the token budget, never inside code', () => {
    const para = (i: number) => `Paragraph ${i} ` + 'the cache evicted hot keys under memory pressure. '.repeat(12);
    const code = '```\n' + 'log line with error code 503\n'.repeat(30) + '```';
    const body = `## Timeline\n\n${[0, 1, 2, 3, 4].map(para).join('\n\n')}\n\n${code}\n\n${para(5)}`;
    const chunks = chunkMarkdown(body, { maxTokens: 200, minTokens: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(200 + 1);
      expect(c.role).toBe('timeline');
      expect((c.text.match(/```/g) ?? []).length % 2).toBe(0);
    }
    // Nothing is lost: every paragraph is in some chunk.
    for (let i = 0; i < 6; i++) expect(chunks.some((c) => c.text.includes(`Paragraph ${i}`))).toBe(true);
  });

  it('splits one enormous paragraph by sentences and words', () => {
    const body = 'word '.repeat(5000);
    const chunks = chunkMarkdown(body, { maxTokens: 300, minTokens: 0 });
    expect(chunks.length).toBeGreaterThanOrEqual(16);
    expect(Math.max(...chunks.map((c) => c.tokens))).toBeLessThanOrEqual(300);
  });

  it('ignores headings inside code fences', () => {
    const body = '## Summary\n\nText.\n\n```\n# not a heading\n```\n\nMore text.';
    expect(chunkMarkdown(body, { maxTokens: 320, minTokens: 0 })).toHaveLength(1);
  });

  it('gives a real postmortem the sections it has', () => {
    const text = readFileSync(join(CORPUS, 'postmortems/dfds/PM2021-005_-_All_services_returning_503_in_Kubernetes.md'), 'utf8');
    const chunks = chunkMarkdown(splitFrontMatter(text).body);
    const roles = new Set(chunks.map((c) => c.role));
    for (const r of ['summary', 'timeline', 'contributing_factors', 'action_items', 'lessons']) expect(roles).toContain(r);
    for (const c of chunks) expect(estimateTokens(c.text)).toBeLessThanOrEqual(320);
  });
});

import { describe, expect, it } from 'vitest';
import { outline } from '../../../native/incidents/outline.js';
import { timelineEvents } from '../../../native/incidents/timeline.js';
import { parseStamp, statedZone, toIso } from '../../../native/incidents/times.js';
import { bodyRecord, fieldsOf, markdownRecord } from './records.js';

describe('stamps as write-ups write them', () => {
  const at = (s: string) => {
    const st = parseStamp(s)!;
    return { date: st.date, minutes: st.minutes, zone: st.zone };
  };

  it('reads dates, clock times, 12-hour times and zones in the orders people use', () => {
    expect(at('2019-11-30 08:24 | Automated warning')).toEqual({ date: { y: 2019, mo: 10, d: 30 }, minutes: 8 * 60 + 24, zone: null });
    expect(at('12:45 PM PST Saturday Oct 30th: First wave')).toEqual({ date: { y: null, mo: 9, d: 30 }, minutes: 12 * 60 + 45, zone: -480 });
    // "13:55 PM" (a 24-hour time with a stray PM) stays 13:55.
    expect(at('13:55 PM PST Saturday Oct 30th: alarms fire').minutes).toBe(13 * 60 + 55);
    expect(at('February 15, 2024: 7:56am UTC')).toEqual({ date: { y: 2024, mo: 1, d: 15 }, minutes: 7 * 60 + 56, zone: 0 });
    expect(at('[03-26 23:04] The node hosting boskos is drained')).toEqual({ date: { y: null, mo: 2, d: 26 }, minutes: 23 * 60 + 4, zone: null });
    expect(at('_4/21/23_')).toEqual({ date: { y: 2023, mo: 3, d: 21 }, minutes: null, zone: null });
    expect(at('2023-09-18 15.26 Compared the disk size').minutes).toBe(15 * 60 + 26);
  });

  it('does not take versions or broken dates for times', () => {
    expect(parseStamp('1.2.11 was released')).toBeNull();
    expect(parseStamp('20202-01-16 12:00 | Cake was not copying')).toBeNull();
    expect(parseStamp('2019-12-03 --:-- | Surge')?.minutes).toBeNull();
    expect(parseStamp('Lorem ipsum')).toBeNull();
  });

  it('reads the zone a document states for its times', () => {
    expect(statedZone('All times in CET.')).toBe(60);
    expect(statedZone('All times in PDT (UTC-7).')).toBe(-420);
    expect(statedZone('## Timeline (PST) 4/21/23-4/25/23')).toBe(-480);
    expect(statedZone('| Time (UTC) | Event |')).toBe(0);
    expect(statedZone('## Timeline (times in BST)')).toBe(60);
    expect(statedZone('The times were hard.')).toBeNull();
  });

  it('refuses a date that does not exist', () => {
    expect(toIso({ y: 2023, mo: 1, d: 30 }, 0, 0)).toBeNull();
    expect(toIso({ y: 2024, mo: 1, d: 29 }, 90, 60)).toBe('2024-02-29T00:30:00Z');
  });
});

describe('timeline events', () => {
  it('carry a time without a date over midnight to the next day', () => {
    // The Kubernetes test-infra timeline of 2019-05-30 runs from 13:26 past midnight to [07:00].
    const record = markdownRecord('kubernetes-test-infra/2019-05-30.md');
    const events = timelineEvents(record, outline(record), -420);
    const last = events[events.length - 1]!;
    expect(last.text).toMatch(/once again merging/);
    expect(last.at).toBe('2019-05-31T14:00:00Z');
  });

  it('read a time line followed by its event on the next line', () => {
    const record = bodyRecord('# Pods dying on 2025-07-22\n\n## Timeline\n\n_All times in EDT_\n\n## July 22\n1:03\nFirst alert fires\n\n5:00\nEngineers acknowledge the alert\n');
    const f = fieldsOf(record);
    expect(f.detectedAt?.value).toBe('2025-07-22T05:03:00Z');
  });

  it('give nothing when no date is known anywhere', () => {
    const f = fieldsOf(bodyRecord('# Outage\n\n## Timeline\n\n- 10:00 alert fired\n- 10:30 service restored\n'));
    expect([f.startedAt, f.detectedAt, f.mitigatedAt, f.resolvedAt]).toEqual([null, null, null, null]);
  });
});

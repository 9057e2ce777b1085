import { afterEach, describe, expect, it } from 'vitest';
import { isMachineId, isPlaceholder, personName, PLACEHOLDER_VALUES } from '../../../../native/entities/placeholders.js';
import { decodeText } from '../../../../native/import/decode-text.js';
import { parseTrackerDate } from '../../../../native/import/tickets/dates.js';
import { lookup, mapFields } from '../../../../native/import/tickets/field-map.js';
import { displayValue, fieldList, fieldPerson, fieldText, parseObjectText } from '../../../../native/import/tickets/values.js';

describe('tracker dates', () => {
  it.each([
    // ISO with and without a zone (no zone = UTC), T or space
    ['2015-12-02T07:39:15.000-0800', '2015-12-02T15:39:15.000Z'],
    ['2022-07-26T11:28:03.000+00:00', '2022-07-26T11:28:03.000Z'],
    ['2016-07-06T11:16:50 -10:00', '2016-07-06T21:16:50.000Z'],
    ['2024-03-05T14:22:10', '2024-03-05T14:22:10.000Z'],
    ['2024-03-05 14:22:10', '2024-03-05T14:22:10.000Z'],
    ['2024-03-05', '2024-03-05T00:00:00.000Z'],
    // Jira CSV
    ['05/Mar/24 2:22 PM', '2024-03-05T14:22:00.000Z'],
    ['15/Jul/23 8:07 PM', '2023-07-15T20:07:00.000Z'],
    ['05/Mar/2024 14:22', '2024-03-05T14:22:00.000Z'],
    // Slash: month first (US), unless the first number cannot be a month
    ['3/5/2024 14:22', '2024-03-05T14:22:00.000Z'],
    ['3/5/2024 2:22 PM', '2024-03-05T14:22:00.000Z'],
    ['29/02/2016 01:16', '2016-02-29T01:16:00.000Z'],
    // Dash or dot: day first (ServiceNow en-GB, German)
    ['29-02-2016 01:16', '2016-02-29T01:16:00.000Z'],
    ['05.03.2024 14:22', '2024-03-05T14:22:00.000Z'],
    // RFC 2822 (Jira XML, mail)
    ['Sat, 15 Jul 2023 20:07:23 +0000', '2023-07-15T20:07:23.000Z'],
    ['Tue, 5 Mar 2024 14:22:10 +0100', '2024-03-05T13:22:10.000Z'],
    ['Tue, 5 Mar 2024 14:22:10 GMT', '2024-03-05T14:22:10.000Z'],
    // Epoch seconds and milliseconds
    ['1709648530', '2024-03-05T14:22:10.000Z'],
    [1709648530123, '2024-03-05T14:22:10.123Z'],
    // Not dates
    ['?', null],
    ['', null],
    ['31-02-2016 01:16', null],
    ['13/13/2024', null],
    ['1970-01-02 04:23:17', null],
    ['soon', null],
  ])('%s → %s', (input, out) => expect(parseTrackerDate(input)).toBe(out));

  describe('in a zone with daylight saving', () => {
    const tz = process.env.TZ;
    afterEach(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });
    it('reads zone-less times as UTC, even inside the local DST gap', () => {
      process.env.TZ = 'America/New_York';
      expect(new Date(2024, 2, 10, 2, 30).getHours()).not.toBe(2); // 02:30 does not exist there
      expect(parseTrackerDate('2024-03-10 02:30:00')).toBe('2024-03-10T02:30:00.000Z');
      expect(parseTrackerDate('3/10/2024 2:30')).toBe('2024-03-10T02:30:00.000Z');
      expect(parseTrackerDate('10/Mar/24 2:30 AM')).toBe('2024-03-10T02:30:00.000Z');
    });
  });
});

describe('field values', () => {
  it('reads references and dict strings as their display value', () => {
    expect(displayValue({ display_value: 'David Loo', value: '5137153cc611227c000bbd1bd8cd2007' })).toBe('David Loo');
    expect(displayValue({ link: 'https://x.service-now.com/api/now/table/sys_user/5137153cc611227c000bbd1bd8cd2007', value: '5137153cc611227c000bbd1bd8cd2007' })).toBeNull();
    expect(displayValue("{'id': 'PIJ90N7', 'type': 'service_reference', 'summary': 'My Mail Service'}")).toBe('My Mail Service');
    expect(displayValue('{"name": "checkout-api", "id": "10001"}')).toBe('checkout-api');
    expect(displayValue({ accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', displayName: 'Dana Ops' })).toBe('Dana Ops');
    expect(displayValue("[{'at': '2015-10-06T21:30:42Z', 'assignee': {'id': 'PXPGF42', 'summary': 'Earline Greenholt'}}]")).toBe('Earline Greenholt');
    // Text that merely has braces stays text.
    expect(displayValue('{code} block')).toBe('{code} block');
    expect(parseObjectText("{'a': 'it\\'s', 'b': True, 'c': None, 'd': 3}")).toEqual({ a: "it's", b: true, c: null, d: 3 });
  });

  it('empties placeholders, in any of the listed languages', () => {
    for (const v of ['Unassigned', 'None', 'null', 'N/A', '-', '(none)', 'Не назначено', 'Nicht zugewiesen', 'Non assigné', 'Sin asignar', '未割り当て']) {
      expect(fieldText(v)).toBeNull();
      expect(isPlaceholder(v)).toBe(true);
    }
    expect(PLACEHOLDER_VALUES).toContain('未割り当て');
    expect(fieldText('P1')).toBe('P1');
    expect(fieldList(['db', 'None', 'db', ' cache '])).toEqual(['db', 'cache']);
    expect(fieldList('incident')).toEqual(['incident']);
    expect(fieldList("['a', 'b']")).toEqual(['a', 'b']);
  });

  it('never takes a machine id for a person', () => {
    for (const id of ['JIRAUSER10100', '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', '5b10ac8d82e05b22cc7d4ef5', '6816f79cc0a8016401c5a33be04be441', 'PXPGF42', '4678475376118', '2a1c07ea-b9bd-4922-afcc-edf406b46904']) {
      expect(isMachineId(id)).toBe(true);
      expect(personName(id)).toBeNull();
      expect(fieldPerson(id)).toBeNull();
    }
    for (const name of ['Dana Ops', 'alice', 'morpheus@opsgenie.com', 'PETERSON', 'Caller 2403']) expect(personName(name)).toBe(name);
  });

  it('looks paths up by exact key first (CSV columns with dots), then into nested objects and lists', () => {
    expect(lookup({ 'assigned_to.name': 'Ana' }, 'assigned_to.name')).toBe('Ana');
    expect(lookup({ assigned_to: { name: 'Bo' } }, 'assigned_to.name')).toBe('Bo');
    expect(lookup({ assignments: [{ assignee: { summary: 'Cy' } }] }, 'assignments.0.assignee')).toEqual({ summary: 'Cy' });
    expect(lookup({ 'issue key': 'A-1' }, 'Issue key')).toBe('A-1');
  });

  it('takes the first field with a real value, in the order of preference', () => {
    const m = mapFields({ key: ['number'], title: ['t'], resolved: ['resolved_at', 'closed_at'], reporter: ['caller_id', 'opened_by'] }, { number: 'X', t: 'y', closed_at: '2024-01-02', resolved_at: '2024-01-01', opened_by: 'Agent', caller_id: 'Unassigned' });
    expect(m.resolved).toBe('2024-01-01T00:00:00.000Z');
    expect(m.reporter).toBe('Agent');
  });
});

describe('text decoding', () => {
  it('keeps damaged UTF-8 as UTF-8, and reads a Windows-1252 file as Windows-1252', () => {
    const ascii = 'x'.repeat(2000);
    const damaged = Buffer.concat([Buffer.from(`caf\u00e9 ${ascii} `), Buffer.from([0xff]), Buffer.from(' end')]);
    expect(decodeText(damaged, 'a.csv')).toContain('caf\u00e9 ');
    const cp1252 = Buffer.concat([Buffer.from(`${ascii} caf`), Buffer.from([0xe9, 0x20, 0x93, 0x71, 0x94])]);
    expect(decodeText(cp1252, 'b.csv')).toMatch(/caf\u00e9 \u201cq\u201d$/);
  });
});

/**
 * The contract at its edges, as every caller meets it through the door's parser (validation.ts):
 * each bound accepted at its value and refused one past it with a sentence, defaults filled in,
 * closed sets open to their members only, "exactly one of" inputs, and metadata read back
 * leniently. Light on purpose (no engine): mutation testing runs it for every mutant of contract.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  API_EVENTS,
  API_INPUTS,
  API_METHODS,
  channelOf,
  CSV_MAP_FIELDS,
  DOCUMENT_KINDS,
  DocumentMetadataSchema,
  IncidentFieldsSchema,
  ENTITY_TYPES,
  EntityTypeSchema,
  ERROR_CODE_LIST,
  ERROR_CODES,
  MENU_COMMANDS,
  SECTION_ROLES,
  SectionRoleSchema,
  type ApiMethod,
} from '../../../native/contract.js';
import { HindsightError } from '../../../native/common/errors.js';
import { parseInput } from '../../../native/service/validation.js';

/** The refusal's sentence, or null when the input is accepted. */
function refusal(method: ApiMethod, input: unknown): string | null {
  try {
    parseInput(method, input);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(HindsightError);
    expect(err).toMatchObject({ code: 'invalid-input' });
    return (err as Error).message;
  }
}

const text = (n: number) => 'x'.repeat(n);

describe('bounds: accepted at the bound, refused one past it with a sentence', () => {
  it.each<[ApiMethod, string, Record<string, unknown>, number, number, string]>([
    ['search', 'limit', { query: 'q' }, 1, 200, 'limit must be between 1 and 200'],
    ['similar', 'limit', { text: 'q' }, 1, 100, 'limit must be between 1 and 100'],
    ['experts', 'limit', { text: 'q' }, 1, 100, 'limit must be between 1 and 100'],
    ['patterns', 'limit', {}, 1, 500, 'limit must be between 1 and 500'],
    ['patterns', 'minSize', {}, 2, 1000, 'minSize must be between 2 and 1000'],
    ['playbook', 'pattern', {}, 1, 500, 'pattern must be between 1 and 500'],
    ['browse', 'limit', {}, 1, 200, 'limit must be between 1 and 200'],
    ['listImports', 'limit', {}, 1, 1000, 'limit must be between 1 and 1000'],
    ['importIssues', 'limit', { importId: 1 }, 1, 5000, 'limit must be between 1 and 5000'],
  ])('%s %s', (method, field, base, min, max, message) => {
    expect(refusal(method, { ...base, [field]: min })).toBeNull();
    expect(refusal(method, { ...base, [field]: max })).toBeNull();
    expect(refusal(method, { ...base, [field]: min - 1 })).toBe(`${message} (got ${min - 1}).`);
    expect(refusal(method, { ...base, [field]: max + 1 })).toBe(`${message} (got ${max + 1}).`);
    expect(refusal(method, { ...base, [field]: min + 0.5 })).toBe(`${field} must be a whole number (got ${min + 0.5}).`);
  });

  it.each<[ApiMethod, string, Record<string, unknown>, number, number]>([
    ['search', 'query', {}, 0, 10_000],
    ['search', 'sourcePrefix', { query: 'q' }, 1, 4096],
    ['search', 'service', { query: 'q' }, 1, 200],
    ['search', 'person', { query: 'q' }, 1, 200],
    ['search', 'error', { query: 'q' }, 1, 500],
    ['similar', 'text', {}, 1, 200_000],
    ['similar', 'file', {}, 1, 4096],
    ['experts', 'text', {}, 1, 200_000],
    ['installModel', 'folder', {}, 1, 4096],
    ['installModel', 'download', {}, 1, 100],
    ['playbook', 'failureMode', {}, 1, 100],
    ['playbook', 'service', {}, 1, 200],
    ['playbook', 'text', {}, 1, 200_000],
    ['useDatabase', 'path', {}, 1, 4096],
  ])('%s %s: %i to %i characters', (method, field, base, min, max) => {
    expect(refusal(method, { ...base, [field]: text(max) })).toBeNull();
    expect(refusal(method, { ...base, [field]: text(min) })).toBeNull();
    expect(refusal(method, { ...base, [field]: text(max + 1) })).toMatch(new RegExp(`^${field} must be at most ${max} characters long`));
    if (min > 0) expect(refusal(method, { ...base, [field]: text(min - 1) })).toBe(`${field} must not be empty.`);
  });

  it('import paths: 1 to 10,000 of them, each 1 to 4,096 characters', () => {
    for (const m of ['startImport', 'previewImport'] as const) {
      expect(refusal(m, { paths: ['/a'] })).toBeNull();
      expect(refusal(m, { paths: Array.from({ length: 10_000 }, (_, i) => `/p${i}`) })).toBeNull();
      expect(refusal(m, { paths: Array.from({ length: 10_001 }, (_, i) => `/p${i}`) })).toMatch(/^paths must be at most 10000 items \(got \["\/p0",/);
      expect(refusal(m, { paths: [] })).toBe('paths must not be empty.');
      expect(refusal(m, { paths: [`/${text(4095)}`] })).toBeNull();
      expect(refusal(m, { paths: [`/${text(4096)}`] })).toMatch(/^paths must be at most 4096 characters long/);
      expect(refusal(m, { paths: [''] })).toBe('paths must not be empty.');
      expect(refusal(m, {})).toBe('paths is required.');
    }
  });

  it('Slack channel filters: up to 500 names of 1 to 200 characters', () => {
    expect(refusal('startImport', { paths: ['/a'], channels: Array.from({ length: 500 }, () => text(200)) })).toBeNull();
    expect(refusal('startImport', { paths: ['/a'], channels: Array.from({ length: 501 }, () => 'c') })).toMatch(/^channels must be at most 500 items \(got \["c",/);
    expect(refusal('startImport', { paths: ['/a'], channels: [text(201)] })).toMatch(/^channels must be at most 200 characters long/);
    expect(refusal('startImport', { paths: ['/a'], channels: [''] })).toBe('channels must not be empty.');
  });

  it('CSV maps name known fields only, each a column of 1 to 200 characters', () => {
    const all = Object.fromEntries(CSV_MAP_FIELDS.map((f) => [f, `Column ${f}`]));
    expect(refusal('startImport', { paths: ['/a'], csvMap: all })).toBeNull();
    expect(refusal('startImport', { paths: ['/a'], csvMap: { title: text(200) } })).toBeNull();
    expect(refusal('startImport', { paths: ['/a'], csvMap: { title: text(201) } })).toMatch(/^csvMap\.title must be at most 200 characters long/);
    expect(refusal('startImport', { paths: ['/a'], csvMap: { title: '' } })).toBe('csvMap.title must not be empty.');
    expect(refusal('startImport', { paths: ['/a'], csvMap: { colour: 'C' } })).toMatch(/^csvMap/);
  });

  it('document ids: positive whole numbers up to the largest safe integer', () => {
    for (const m of ['show', 'sourceOf'] as const) {
      expect(refusal(m, { id: 1 })).toBeNull();
      expect(refusal(m, { id: Number.MAX_SAFE_INTEGER })).toBeNull();
      expect(refusal(m, { id: 0 })).toBe('id must be at least 1 (got 0).');
      expect(refusal(m, { id: Number.MAX_SAFE_INTEGER + 2 })).toMatch(/^id must be at most/);
      expect(refusal(m, { id: '7' })).toBe('id must be a number (got "7").');
      expect(refusal(m, { id: 1, extra: true })).toBe('extra is not an option here.');
    }
    expect(refusal('similar', { id: 3 })).toBeNull();
    expect(refusal('similar', { id: -3 })).toBe('id must be at least 1 (got -3).');
    expect(refusal('cancelImport', { importId: 1 })).toBeNull();
    expect(refusal('cancelImport', { importId: 0 })).toBe('importId must be at least 1 (got 0).');
    expect(refusal('cancelImport', { importId: 1.5 })).toBe('importId must be a whole number (got 1.5).');
    expect(refusal('cancelImport', { importId: 1, force: true })).toBe('force is not an option here.');
  });

  it('dates: anything Date.parse reads, up to 40 characters', () => {
    for (const m of ['search', 'patterns'] as const) {
      const base = m === 'search' ? { query: 'q' } : {};
      expect(refusal(m, { ...base, since: '2024-03-31', until: '2024-03-31T14:00Z' })).toBeNull();
      expect(refusal(m, { ...base, since: 'last tuesday' })).toBe('since must be a date such as 2024-03-31 or 2024-03-31T14:00Z (got "last tuesday").');
      expect(refusal(m, { ...base, until: 'soon' })).toBe('until must be a date such as 2024-03-31 or 2024-03-31T14:00Z (got "soon").');
      expect(refusal(m, { ...base, since: `2024-03-31${' '.repeat(31)}` })).toMatch(/^since must be at most 40 characters long/);
    }
  });

  it('methods without input refuse any', () => {
    for (const m of ['appInfo', 'stats', 'importSample', 'startReindex', 'cancelReindex', 'modelStatus'] as const) {
      expect(refusal(m, {})).toBeNull();
      expect(refusal(m, undefined)).toBeNull();
      expect(refusal(m, { surprise: 1 })).toBe('surprise is not an option here.');
    }
  });
});

describe('defaults', () => {
  it('fills in the documented defaults', () => {
    expect(parseInput('search', { query: 'q' })).toEqual({ query: 'q', limit: 20 });
    expect(parseInput('similar', { text: 'q' })).toEqual({ text: 'q', limit: 10 });
    expect(parseInput('experts', { id: 4 })).toEqual({ id: 4, limit: 10 });
    expect(parseInput('patterns', {})).toEqual({ minSize: 2, limit: 30 });
    expect(parseInput('installModel', { download: 'gte-small' })).toEqual({ download: 'gte-small', allowUnverified: false });
    expect(parseInput('installModel', { folder: '/m', allowUnverified: true })).toEqual({ folder: '/m', allowUnverified: true });
  });
});

describe('closed sets', () => {
  it('document kinds: each one, all three together, and nothing else', () => {
    expect(DOCUMENT_KINDS).toEqual(['postmortem', 'slack-thread', 'ticket']);
    for (const m of ['search', 'similar', 'patterns'] as const) {
      const base = m === 'search' ? { query: 'q' } : m === 'similar' ? { text: 'q' } : {};
      for (const k of DOCUMENT_KINDS) expect(refusal(m, { ...base, kinds: [k] })).toBeNull();
      expect(refusal(m, { ...base, kinds: [...DOCUMENT_KINDS] })).toBeNull();
      expect(refusal(m, { ...base, kinds: [...DOCUMENT_KINDS, 'ticket'] })).toBe('kinds must be at most 3 items (got ["postmortem","slack-thread","ticket","ticket"]).');
      expect(refusal(m, { ...base, kinds: ['email'] })).toBe('kinds must be one of postmortem, slack-thread, ticket (got "email").');
      expect(refusal(m, { ...base, kinds: [''] })).toMatch(/^kinds must be one of/);
    }
  });

  it('section roles and entity types are the ones the chunker and extractor use', () => {
    expect(SECTION_ROLES).toEqual(['summary', 'impact', 'timeline', 'root_cause', 'trigger', 'contributing_factors', 'detection', 'resolution', 'action_items', 'lessons', 'other']);
    expect(ENTITY_TYPES).toEqual(['service', 'error', 'technology', 'host', 'person', 'ticket', 'url']);
    for (const r of SECTION_ROLES) expect(SectionRoleSchema.parse(r)).toBe(r);
    for (const t of ENTITY_TYPES) expect(EntityTypeSchema.parse(t)).toBe(t);
    expect(SectionRoleSchema.safeParse('').success).toBe(false);
    expect(EntityTypeSchema.safeParse('').success).toBe(false);
  });

  it('CSV map fields, menu commands and events are named once each, never empty', () => {
    expect(CSV_MAP_FIELDS).toEqual(['title', 'body', 'key', 'created', 'resolved', 'status', 'priority', 'assignee', 'reporter', 'labels', 'service', 'url']);
    expect(MENU_COMMANDS).toEqual([
      'focus-search', 'command-palette', 'import-files', 'view-search', 'view-similar', 'view-patterns', 'view-imports', 'view-settings',
      'install-model-folder', 'download-model', 'reindex', 'cancel-reindex', 'use-database',
    ]);
    expect(API_EVENTS).toEqual(['importProgress', 'importDone', 'indexProgress', 'indexDone', 'modelProgress', 'engineState', 'menuCommand']);
  });

  it('every error code maps to the exit code of its kind (sysexits.h), and 130 for a cancel', () => {
    expect(ERROR_CODES).toEqual({
      usage: 64,
      'invalid-input': 64,
      'not-found': 66,
      'refused-input': 65,
      unsupported: 65,
      busy: 75,
      timeout: 75,
      cancelled: 130,
      'no-model': 69,
      'model-failed': 69,
      'db-unavailable': 74,
      'engine-unavailable': 69,
      forbidden: 77,
      internal: 70,
    });
    expect(ERROR_CODE_LIST).toEqual(Object.keys(ERROR_CODES));
  });
});

describe('"exactly one of" inputs', () => {
  it.each<[ApiMethod, Record<string, unknown>[], string]>([
    ['similar', [{ text: 'x' }, { file: '/f' }, { id: 1 }], 'Give exactly one of text, file or id.'],
    ['experts', [{ text: 'x' }, { id: 1 }], 'Give exactly one of text or id.'],
    ['installModel', [{ folder: '/m' }, { download: 'gte-small' }], 'Give exactly one of folder or download.'],
    ['playbook', [{ failureMode: 'bad-deploy' }, { service: 'api' }, { pattern: 1 }, { text: 'x' }, { id: 1 }], 'Give exactly one of failureMode, service, pattern, text or id.'],
  ])('%s', (method, ones, message) => {
    for (const one of ones) expect(refusal(method, one)).toBeNull();
    expect(refusal(method, {})).toBe(message);
    expect(refusal(method, Object.assign({}, ...ones))).toBe(message);
    expect(refusal(method, { ...ones[0], ...ones[1] })).toBe(message);
  });

  it('installModel refuses options it does not know', () => {
    expect(refusal('installModel', { download: 'gte-small', mirror: 'x' })).toBe('mirror is not an option here.');
  });
});

describe('document metadata read back from the store', () => {
  it('keeps values of the right shape and unknown keys, and drops values of the wrong shape', () => {
    const good = {
      system: 'jira',
      type: 'Incident',
      priority: null,
      resolution: 'Fixed',
      assignee: 'ann',
      reporter: 'bob',
      labels: ['sev1'],
      components: ['api'],
      comments: 3,
      channel: 'ops',
      channelId: 'C1',
      thread: true,
      startedAt: '2024-01-01T00:00:00Z',
      endedAt: '2024-01-01T01:00:00Z',
      messageCount: 12,
      participants: [{ name: 'ann', messages: 3, chars: 120, resolvingChars: 40, bot: false }],
      owners: ['team-a'],
    };
    expect(DocumentMetadataSchema.parse(good)).toEqual(good);
    const bad = { system: 7, labels: 'sev1', comments: 'three', thread: 'yes', participants: [{ name: 'ann' }], messageCount: '12', author: 'kept' };
    expect(DocumentMetadataSchema.parse(bad)).toEqual({ author: 'kept' });
  });
});

describe('incident fields read back from the store', () => {
  const from = { documentId: 3, section: 'Timeline', start: 10, end: 42 };
  const fields = {
    title: { value: 'Checkout down', from: { documentId: 3, section: null } },
    services: [{ value: 'checkout', from }],
    symptom: { value: '502s at the edge', from },
    trigger: null,
    rootCause: { value: 'an expired certificate', from },
    mechanism: ['expired certificate'],
    failureModes: [{ value: 'cert-expiry', from, score: 0.9 }],
    mitigation: { value: 'renewed the certificate', from },
    actionItems: [{ value: { text: 'alert 30 days before expiry', status: 'open', ticket: 'ticket:OPS-42' }, from }],
    people: [{ value: { name: 'ann', role: 'resolver' }, from }],
    severity: { value: 'SEV1', from },
    startedAt: { value: '2024-03-01T10:00:00Z', from },
    detectedAt: null,
    mitigatedAt: { value: '2024-03-01T10:40:00Z', from },
    resolvedAt: null,
  };

  it('keeps every field, with where each value was read', () => {
    expect(IncidentFieldsSchema.parse(fields)).toEqual(fields);
  });

  it.each([
    ['a value without where it was read', { ...fields, symptom: { value: '502s' } }],
    ['a provenance without its record', { ...fields, services: [{ value: 'checkout', from: { section: null } }] }],
    ['an action item of an unknown status', { ...fields, actionItems: [{ value: { text: 'x', status: 'maybe', ticket: null }, from }] }],
    ['a person of an unknown role', { ...fields, people: [{ value: { name: 'ann', role: 'hero' }, from }] }],
    ['a failure mode without its score', { ...fields, failureModes: [{ value: 'cert-expiry', from }] }],
  ])('refuses %s', (_, bad) => {
    expect(IncidentFieldsSchema.safeParse(bad).success).toBe(false);
  });
});

describe('the API tables', () => {
  it('names one channel per method and event, under the app\'s prefix', () => {
    expect(channelOf('search')).toBe('hindsight:search');
    expect(channelOf('importDone')).toBe('hindsight:importDone');
    const channels = [...API_METHODS, ...API_EVENTS].map(channelOf);
    expect(new Set(channels).size).toBe(channels.length);
    expect(API_METHODS).toEqual(Object.keys(API_INPUTS));
  });
});

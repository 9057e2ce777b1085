import type { DocumentKind } from '../../../native/contract.js';

/** Filters a search can be opened with: a pivot from a chip, a chart or a list is one of these. */
export interface SearchPivot {
  kinds?: DocumentKind[];
  service?: string;
  person?: string;
  error?: string;
}

/** What a playbook screen is about: one failure mode or one service. */
export type PlaybookSubject = { failureMode: string; service?: undefined } | { service: string; failureMode?: undefined };

/** The screens, addressed by the URL hash so that back/forward work in both shells. */
export type Route =
  | ({ view: 'search'; q?: string } & SearchPivot)
  | { view: 'similar' }
  | { view: 'patterns'; theme?: number; month?: string }
  | { view: 'document'; id: number; section?: number }
  | { view: 'incident'; id: number }
  | ({ view: 'playbook' } & PlaybookSubject)
  | { view: 'imports'; open?: number }
  | { view: 'settings' };

export type View = Route['view'];

const KINDS: readonly DocumentKind[] = ['postmortem', 'slack-thread', 'ticket'];

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = splitOnce(h, '?');
  const params = new URLSearchParams(query);
  const [view, arg, sub, subArg] = path.split('/');
  if (view === 'doc' && arg && /^\d+$/.test(arg)) {
    const section = sub === 'section' && subArg && /^\d+$/.test(subArg) ? Number(subArg) : undefined;
    return section === undefined ? { view: 'document', id: Number(arg) } : { view: 'document', id: Number(arg), section };
  }
  if (view === 'incident' && arg && /^\d+$/.test(arg)) return { view: 'incident', id: Number(arg) };
  if (view === 'playbook') {
    const failureMode = params.get('failureMode');
    const service = params.get('service');
    if (failureMode) return { view: 'playbook', failureMode };
    if (service) return { view: 'playbook', service };
  }
  if (view === 'similar') return { view: 'similar' };
  if (view === 'patterns') {
    const theme = params.get('theme');
    const month = params.get('month');
    return {
      view: 'patterns',
      ...(theme && /^\d+$/.test(theme) ? { theme: Number(theme) } : {}),
      ...(month && /^\d{4}-\d{2}$/.test(month) ? { month } : {}),
    };
  }
  if (view === 'imports') {
    const open = params.get('open');
    return open && /^\d+$/.test(open) ? { view: 'imports', open: Number(open) } : { view: 'imports' };
  }
  if (view === 'settings') return { view: 'settings' };
  if (view === 'search') {
    const r: Route = { view: 'search' };
    // `#/search/<query>`: the older form, kept so that saved links still open.
    const q = params.get('q') ?? (arg ? safeDecode(arg) : null);
    if (q) r.q = q;
    const kinds = params.getAll('kind').filter((k): k is DocumentKind => (KINDS as readonly string[]).includes(k));
    if (kinds.length) r.kinds = kinds;
    for (const f of ['service', 'person', 'error'] as const) {
      const v = params.get(f);
      if (v) r[f] = v;
    }
    return r;
  }
  return { view: 'search' };
}

export function routeHash(r: Route): string {
  switch (r.view) {
    case 'document':
      return r.section === undefined ? `#/doc/${r.id}` : `#/doc/${r.id}/section/${r.section}`;
    case 'incident':
      return `#/incident/${r.id}`;
    case 'playbook': {
      const p = new URLSearchParams();
      if (r.failureMode !== undefined) p.set('failureMode', r.failureMode);
      else p.set('service', r.service);
      return withQuery('#/playbook', p);
    }
    case 'similar':
      return '#/similar';
    case 'patterns': {
      const p = new URLSearchParams();
      if (r.theme !== undefined) p.set('theme', String(r.theme));
      if (r.month) p.set('month', r.month);
      return withQuery('#/patterns', p);
    }
    case 'imports':
      return r.open === undefined ? '#/imports' : `#/imports?open=${r.open}`;
    case 'settings':
      return '#/settings';
    case 'search': {
      const p = new URLSearchParams();
      if (r.q) p.set('q', r.q);
      for (const k of r.kinds ?? []) p.append('kind', k);
      for (const f of ['service', 'person', 'error'] as const) if (r[f]) p.set(f, r[f]!);
      return withQuery('#/search', p);
    }
  }
}

/** The search a chip or list item opens: entities with a filter of their own use it, others become words. */
export function pivotFor(type: string, name: string): Route {
  if (type === 'service') return { view: 'search', service: name };
  if (type === 'person') return { view: 'search', person: name };
  if (type === 'error') return { view: 'search', error: name };
  return { view: 'search', q: name };
}

function withQuery(base: string, p: URLSearchParams): string {
  const q = p.toString();
  return q ? `${base}?${q}` : base;
}

function splitOnce(s: string, sep: string): [string, string] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, ''] : [s.slice(0, at), s.slice(at + 1)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

let searchShown: Route = { view: 'search' };
/** The search on screen (its words and filters), so that going back to Search finds it again. */
export function rememberSearch(r: Route): void {
  if (r.view === 'search') searchShown = r;
}
export function lastSearch(): Route {
  return searchShown;
}

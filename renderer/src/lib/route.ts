/** The screens, addressed by the URL hash so that back/forward work in both shells. */
export type Route =
  | { view: 'search'; q?: string }
  | { view: 'similar' }
  | { view: 'patterns' }
  | { view: 'document'; id: number };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [view, arg] = h.split('/');
  if (view === 'doc' && arg && /^\d+$/.test(arg)) return { view: 'document', id: Number(arg) };
  if (view === 'similar') return { view: 'similar' };
  if (view === 'patterns') return { view: 'patterns' };
  if (view === 'search' && arg) return { view: 'search', q: decodeURIComponent(arg) };
  return { view: 'search' };
}

export function routeHash(r: Route): string {
  switch (r.view) {
    case 'document':
      return `#/doc/${r.id}`;
    case 'similar':
      return '#/similar';
    case 'patterns':
      return '#/patterns';
    default:
      return r.q ? `#/search/${encodeURIComponent(r.q)}` : '#/search';
  }
}

import { useEffect, useState } from 'react';
import type { DocumentView as Doc, EntityType } from '../../../native/contract';
import { Chip, EmptyState, ErrorNote, KindBadge, Spinner } from '../components/common';
import { BackIcon, ExternalIcon, SimilarIcon } from '../components/icons';
import { useApp } from '../context';
import { shortDate } from '../lib/format';
import { Markdown } from '../lib/markdown';

const ENTITY_ORDER: EntityType[] = ['service', 'error', 'technology', 'person', 'host', 'ticket', 'url'];
const ENTITY_LABEL: Record<EntityType, string> = { service: 'Services', error: 'Errors', technology: 'Technologies', person: 'People', host: 'Hosts', ticket: 'Tickets', url: 'Links' };

/** One document: its text with sections, entities, and the records it links to or is linked from. */
export function DocumentView({ id }: { id: number }) {
  const { transport, navigate, openSource, openLink } = useApp();
  const [doc, setDoc] = useState<Doc | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setDoc(undefined);
    transport.api.show({ id }).then(setDoc, (e: Error) => setError(e.message));
  }, [id, transport]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target as HTMLElement).closest('input, textarea')) history.back();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (error) return <div className="view"><ErrorNote message={error} /></div>;
  if (doc === undefined) return <div className="view"><Spinner label="Opening…" /></div>;
  if (doc === null) return <div className="view"><EmptyState title={`There is no document #${id}`} /></div>;

  const byType = ENTITY_ORDER.map((t) => [t, doc.entities.filter((e) => e.type === t)] as const).filter(([, es]) => es.length);
  const headings = doc.sections.filter((s, i, all) => s.heading && all.findIndex((x) => x.heading === s.heading) === i);
  return (
    <div className="view document-view">
      <div className="doc-toolbar">
        <button className="button ghost small" onClick={() => history.back()}>
          <BackIcon /> Back
        </button>
        <div className="spacer" />
        <button className="button ghost small" onClick={() => openSource(doc.id)}>
          <ExternalIcon /> Open original
        </button>
        <button className="button small" onClick={() => { sessionStorage.setItem('hindsight.similar.id', String(doc.id)); navigate({ view: 'similar' }); }}>
          <SimilarIcon /> Find similar
        </button>
      </div>
      <header className="doc-header">
        <KindBadge kind={doc.kind} />
        <h1>{doc.title}</h1>
        <div className="doc-meta">
          <span>{shortDate(doc.occurredAt)}</span>
          {doc.resolvedAt && <span>resolved {shortDate(doc.resolvedAt)}</span>}
          {doc.status && <span>{doc.status}</span>}
          {doc.severity && <span>{doc.severity}</span>}
          <span className="muted" title={doc.source}>{doc.format}</span>
        </div>
      </header>
      <div className="doc-layout">
        <article className="doc-body">
          {/* The title is in the header already: drop the body's own first H1 when it repeats it. */}
          <Markdown text={doc.body.replace(/^#\s+(.+)\n+/, (m, t: string) => (t.trim() === doc.title ? '' : m))} onLink={openLink} />
        </article>
        <aside className="doc-side">
          {headings.length > 1 && (
            <section>
              <h3>Sections</h3>
              <ul className="section-list">
                {headings.map((s) => (
                  <li key={s.start}>
                    <span className={`role role-${s.role}`}>{s.role.replace('_', ' ')}</span> {s.heading.split(' > ').pop()}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {byType.map(([type, es]) => (
            <section key={type}>
              <h3>{ENTITY_LABEL[type]}</h3>
              <div className="chips">
                {es.slice(0, 30).map((e) => (
                  <Chip key={e.key} tone={type === 'service' || type === 'error' || type === 'technology' || type === 'person' ? type : 'plain'}>
                    {type === 'url' ? e.name.replace(/^https?:\/\//, '').slice(0, 48) : e.name}
                  </Chip>
                ))}
              </div>
            </section>
          ))}
          {doc.links.length > 0 && (
            <section>
              <h3>Related records</h3>
              <ul className="link-list">
                {doc.links.map((l, i) => (
                  <li key={i}>
                    <span className="muted">{l.direction === 'out' ? '→' : '←'} {l.relation}</span>{' '}
                    {l.documentId ? (
                      <button className="link-button" onClick={() => navigate({ view: 'document', id: l.documentId! })}>
                        {l.title}
                      </button>
                    ) : (
                      <span className="muted" title="Not imported">{l.target.replace(/^(ticket|url|github|pagerduty|slack|servicenow):/, '')}</span>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}

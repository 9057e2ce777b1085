import { useEffect, useMemo, useRef, useState } from 'react';
import type { DocumentView as Doc, EntityType } from '../../../native/contract';
import { DateText, EntityChip, KindBadge, RouteLink } from '../components/common';
import { BackIcon, ExternalIcon, SimilarIcon } from '../components/icons';
import { RecordPageState, useEscapeBack } from '../components/RecordPage';
import { useApp } from '../context';
import { factValue, FACTS_IN_HEADER, localChatTimes, localCommentTimes, ticketFacts, type Fact } from '../lib/document-body';
import { Markdown } from '../lib/markdown';

const ENTITY_ORDER: EntityType[] = ['service', 'error', 'technology', 'person', 'host', 'ticket', 'url'];
const ENTITY_LABEL: Record<EntityType, string> = { service: 'Services', error: 'Errors', technology: 'Technologies', person: 'People', host: 'Hosts', ticket: 'Tickets', url: 'Links' };
/** Ticket fields whose values are people or services: they pivot like entities. */
const FACT_PIVOT: Record<string, 'person' | 'service'> = {
  Assignee: 'person',
  Reporter: 'person',
  'Incident commander': 'person',
  'Resolved by': 'person',
  'Acknowledged by': 'person',
  Components: 'service',
  Services: 'service',
};

/** One document: its text with sections, fields, entities, and the records it links to or is linked from. */
export function DocumentView({ id, section }: { id: number; section?: number }) {
  const { transport, navigate, openSource, openLink, back } = useApp();
  const [doc, setDoc] = useState<Doc | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const body = useRef<HTMLElement>(null);

  useEffect(() => {
    setDoc(undefined);
    setError(null);
    transport.api.show({ id }).then(setDoc, (e: Error) => setError(e.message));
  }, [id, transport]);

  useEscapeBack(back);

  const shown = useMemo(() => {
    if (!doc) return null;
    if (doc.kind === 'slack-thread') return { facts: [] as Fact[], body: localChatTimes(doc.body) };
    if (doc.kind !== 'ticket') return { facts: [] as Fact[], body: doc.body };
    const t = ticketFacts(doc.body);
    return { facts: t.facts.filter((f) => !FACTS_IN_HEADER.has(f.label)), body: localCommentTimes(t.body) };
  }, [doc]);

  // A section link scrolls to its heading and gives it focus (so the keyboard continues from there).
  useEffect(() => {
    if (!doc || section === undefined || !body.current) return;
    const target = headingFor(body.current, doc, section);
    if (target) {
      target.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    }
  }, [doc, section]);

  if (error || !doc) {
    return (
      <RecordPageState
        what="document"
        id={id}
        error={error}
        loading={doc === undefined}
        why="It may have been deleted with its import, or the link is from another database."
        elsewhere={{ to: { view: 'search' }, label: 'Go to search' }}
        back={back}
      />
    );
  }

  const byType = ENTITY_ORDER.map((t) => [t, doc.entities.filter((e) => e.type === t)] as const).filter(([, es]) => es.length);
  const headings = doc.sections.filter((s, i, all) => s.heading && s.heading !== doc.title && all.findIndex((x) => x.heading === s.heading) === i);
  return (
    <div className="view document-view">
      <div className="doc-toolbar">
        <button className="button ghost small" onClick={back}>
          <BackIcon /> Back
        </button>
        <div className="spacer" />
        <button className="button ghost small" onClick={() => openSource(doc.id)}>
          <ExternalIcon /> Open original
        </button>
        <button
          className="button small"
          onClick={() => {
            sessionStorage.setItem('hindsight.similar.id', String(doc.id));
            navigate({ view: 'similar' });
          }}
        >
          <SimilarIcon /> Find similar
        </button>
      </div>
      <header className="doc-header">
        <KindBadge kind={doc.kind} />
        <h1>{doc.title}</h1>
        <div className="doc-meta">
          <DateText iso={doc.occurredAt} />
          {doc.resolvedAt && (
            <span>
              resolved <DateText iso={doc.resolvedAt} />
            </span>
          )}
          {doc.status && <span>{doc.status}</span>}
          {doc.severity && <span>{doc.severity}</span>}
          {doc.metadata.channel && <span>#{doc.metadata.channel}</span>}
          <span className="muted" title={doc.source}>
            {doc.format}
          </span>
        </div>
        {doc.incident && (
          <p className="part-of" data-testid="part-of-incident">
            Part of incident: <RouteLink to={{ view: 'incident', id: doc.incident.incidentId }}>{doc.incident.title}</RouteLink>
            {doc.incident.role === 'follow-up' && <span className="muted"> (a follow-up)</span>}
          </p>
        )}
      </header>
      <div className="doc-layout">
        <article className="doc-body" ref={body} aria-label="Document text">
          <Markdown text={shown!.body} onLink={openLink} skipTitle={doc.title} />
        </article>
        <aside className="doc-side" aria-label="About this document">
          {shown!.facts.length > 0 && (
            <section>
              <h2 className="side-title">Fields</h2>
              <dl className="facts" data-testid="ticket-facts">
                {shown!.facts.map((f) => (
                  <div key={f.label}>
                    <dt>{f.label}</dt>
                    <dd>
                      <FactValue fact={f} />
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
          {headings.length > 1 && (
            <nav aria-label="Sections">
              <h2 className="side-title">Sections</h2>
              <ul className="section-list">
                {headings.map((s) => (
                  <li key={s.start}>
                    <RouteLink to={{ view: 'document', id: doc.id, section: s.start }} className="section-link">
                      <span className={`role role-${s.role}`}>{s.role.replace('_', ' ')}</span> {s.heading.split(' > ').pop()}
                    </RouteLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {byType.map(([type, es]) => (
            <section key={type}>
              <h2 className="side-title">{ENTITY_LABEL[type]}</h2>
              <div className="chips">
                {es.slice(0, 30).map((e) =>
                  type === 'url' ? (
                    <a key={e.key} className="chip chip-plain chip-link" href={e.name} onClick={(ev) => { ev.preventDefault(); openLink(e.name); }}>
                      {e.name.replace(/^https?:\/\//, '').slice(0, 48)}
                    </a>
                  ) : (
                    <EntityChip key={e.key} type={type} name={e.name} />
                  ),
                )}
              </div>
            </section>
          ))}
          {doc.links.length > 0 && (
            <section>
              <h2 className="side-title">Related records</h2>
              <ul className="link-list">
                {doc.links.map((l, i) => (
                  <li key={i}>
                    <span className="muted">
                      {l.direction === 'out' ? '→' : '←'} {l.relation}
                    </span>{' '}
                    {l.documentId ? (
                      <RouteLink to={{ view: 'document', id: l.documentId }}>{l.title}</RouteLink>
                    ) : (
                      <span className="muted" title="Not imported">
                        {l.target.replace(/^(ticket|url|github|pagerduty|slack|servicenow):/, '')}
                      </span>
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

function FactValue({ fact }: { fact: Fact }) {
  const pivot = FACT_PIVOT[fact.label];
  if (!pivot) return <>{factValue(fact.value)}</>;
  const names = pivot === 'service' ? fact.value.split(/,\s*/).filter(Boolean) : [fact.value];
  return (
    <span className="chips">
      {names.map((n) => (
        <EntityChip key={n} type={pivot} name={n} />
      ))}
    </span>
  );
}

/**
 * The heading of a section: by its words (offsets move when the body is reshaped for display),
 * nearest to its offset. `start` is a section's start, or an offset inside one (where a field of
 * an incident was read): then the section holding it.
 */
function headingFor(root: HTMLElement, doc: Doc, start: number): HTMLElement | null {
  const all = [...root.querySelectorAll<HTMLElement>('[data-offset]')];
  const sec = doc.sections.find((s) => s.start === start) ?? doc.sections.filter((s) => s.start <= start && start < s.end).sort((a, b) => b.start - a.start)[0];
  const words = sec?.heading.split(' > ').pop()?.trim();
  const byText = words ? all.filter((h) => h.textContent?.trim() === words) : [];
  const near = sec?.start ?? start;
  const pool = byText.length ? byText : all.filter((h) => Number(h.dataset.offset) <= near);
  return pool.sort((a, b) => Math.abs(Number(a.dataset.offset) - near) - Math.abs(Number(b.dataset.offset) - near))[0] ?? null;
}

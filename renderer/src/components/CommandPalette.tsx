import { useEffect, useMemo, useRef, useState } from 'react';
import type { SearchHit } from '../../../native/contract';
import type { Command } from '../lib/commands';
import { matchCommands } from '../lib/commands';
import { KIND_LABEL } from '../lib/format';
import { Modal } from './Modal';

interface Option {
  id: string;
  title: string;
  hint?: string;
  group: string;
  run(): void;
}

/**
 * Ctrl/⌘+K: every action of the app by name, the search for what was typed, and the documents
 * that match it. ↑ ↓ choose, Enter runs, Escape closes.
 */
export function CommandPalette({ commands, onClose, onSearch, onOpenDocument, searchDocuments }: {
  commands: Command[];
  onClose(): void;
  onSearch(q: string): void;
  onOpenDocument(id: number): void;
  searchDocuments(q: string): Promise<SearchHit[]>;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [docs, setDocs] = useState<SearchHit[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) return setDocs([]);
    let stale = false;
    const t = setTimeout(() => {
      searchDocuments(q).then((hits) => !stale && setDocs(hits.slice(0, 5)), () => !stale && setDocs([]));
    }, 140);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query, searchDocuments]);

  const options: Option[] = useMemo(() => {
    const q = query.trim();
    const run = (fn: () => void) => () => {
      onClose();
      fn();
    };
    const acts = matchCommands(commands, q).map((c) => ({ id: c.id, title: c.title, hint: c.shortcut, group: c.group, run: run(c.run) }));
    const search = q ? [{ id: 'search', title: `Search for “${q}”`, group: 'Search', run: run(() => onSearch(q)) }] : [];
    const found = docs.map((d) => ({ id: `doc-${d.documentId}`, title: d.title, hint: KIND_LABEL[d.kind], group: 'Documents', run: run(() => onOpenDocument(d.documentId)) }));
    // Typed words that name no action are most likely a search.
    return acts.length && q ? [...acts, ...search, ...found] : [...search, ...acts, ...found];
  }, [commands, docs, onClose, onOpenDocument, onSearch, query]);

  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = options.length;
      if (n) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      options[active]?.run();
    } else if (e.key === 'Home' && options.length) {
      setActive(0);
    } else if (e.key === 'End' && options.length) {
      setActive(options.length - 1);
    }
  };

  const groups: Array<{ name: string; options: Array<Option & { index: number }> }> = [];
  options.forEach((o, index) => {
    const last = groups[groups.length - 1];
    if (last?.name === o.group) last.options.push({ ...o, index });
    else groups.push({ name: o.group, options: [{ ...o, index }] });
  });
  return (
    <Modal title="Command palette" hideTitle onClose={onClose} initialFocus={input} className="palette">
      <input
        ref={input}
        className="palette-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-options"
        aria-activedescendant={options[active] ? `opt-${options[active]!.id}` : undefined}
        aria-label="Type an action or words to search"
        placeholder="Type an action, or words to search…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        autoComplete="off"
        spellCheck={false}
      />
      <div className="palette-options" role="listbox" id="palette-options" aria-label="Actions and results" ref={list}>
        {groups.map((g) => (
          <div key={g.name} role="group" aria-labelledby={`group-${g.name.replace(/\W+/g, '-')}`}>
            <div id={`group-${g.name.replace(/\W+/g, '-')}`} className="palette-group" role="presentation">
              {g.name}
            </div>
            {g.options.map((o) => (
              <div
                key={o.id}
                id={`opt-${o.id}`}
                role="option"
                aria-selected={o.index === active}
                data-index={o.index}
                className={`palette-option ${o.index === active ? 'active' : ''}`}
                onMouseMove={() => setActive(o.index)}
                onClick={o.run}
              >
                <span>{o.title}</span>
                {o.hint && <kbd className="shortcut">{o.hint}</kbd>}
              </div>
            ))}
          </div>
        ))}
      </div>
      {options.length === 0 && <p className="palette-empty muted">No action matches “{query}”.</p>}
      <div className="palette-foot muted small" aria-hidden="true">
        ↑ ↓ to choose · Enter to run · Esc to close
      </div>
    </Modal>
  );
}

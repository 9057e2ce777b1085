/**
 * What the ranking statistics need besides each document's own rows, kept current after imports:
 *
 * - **Neighbour expansion**, incremental and bounded: every document written since its last
 *   expansion (the store queues it in the write's transaction) is expanded once, and the
 *   neighbours it names (at most DEFAULT_EXPANSION.neighbours) are refreshed once — never a
 *   rebuild, never a cascade (a refreshed neighbour does not refresh its own neighbours). Run
 *   after an import's documents are written, so a first import of N documents costs N expansions
 *   against the whole corpus, the same result as expanding everything at once (expansion ignores
 *   expansion fields, so the order does not matter).
 * - **Term statistics of older databases** (written before migration 0100): analysed from the
 *   stored passages, a batch at a time.
 * - **The corpus latent model** (LSA): trained when there is none and the corpus is big enough,
 *   retrained when staleness() says so (a quarter of the passages changed since, or new text the
 *   model largely does not know). Training runs in the store's worker; the engine runs this as a
 *   background job and saves the result under its writer lock.
 */
import { checkpoint } from '../common/checkpoint.js';
import type { LatentModelWrite, LatentTrainingProgress, Store } from '../store/store.js';
import { analyseDocument } from './analyse.js';
import { DEFAULT_BM25, type Bm25Settings } from './bm25.js';
import { DEFAULT_LSA, type LsaSettings } from './lsa.js';
import { DEFAULT_EXPANSION, expandDocument, neighboursToRefresh, type ExpansionSettings } from './neighbour-expansion.js';

export interface UpkeepSettings {
  expansion: ExpansionSettings;
  bm25: Bm25Settings;
  lsa: LsaSettings;
  /** Below this many passages there is too little co-occurrence to learn from: no latent model. */
  minLatentPassages: number;
}

export const DEFAULT_UPKEEP: UpkeepSettings = { expansion: DEFAULT_EXPANSION, bm25: DEFAULT_BM25, lsa: DEFAULT_LSA, minLatentPassages: 100 };

/** Documents expanded per transaction. */
const BATCH = 200;

export class CorpusUpkeep {
  constructor(
    private readonly store: Store,
    readonly settings: UpkeepSettings = DEFAULT_UPKEEP,
  ) {}

  /** Term statistics for documents stored without them; returns how many were analysed. */
  async backfill(o: { signal?: AbortSignal } = {}): Promise<number> {
    let done = 0;
    for (;;) {
      const ids = await this.store.ranking.unanalysed(100);
      if (!ids.length) return done;
      const docs = await this.store.documents.summaries(ids);
      const passages = await this.store.passages.ofDocuments(ids);
      const rows = ids.flatMap((id) => {
        const doc = docs.get(id);
        if (!doc) return [];
        const own = passages.filter((p) => p.documentId === id).map((p) => ({ id: p.id, heading: p.heading, text: p.text }));
        // The analysis numbers passages by position, as a new write does.
        const analysis = analyseDocument({ id: 0, title: doc.title, passages: own.map((p, i) => ({ ...p, id: i })) });
        return [{ documentId: id, analysis }];
      });
      await this.store.ranking.putAnalyses(rows);
      done += rows.length;
      // Documents whose passages changed meanwhile are skipped by putAnalyses; do not loop on them.
      if (rows.length < ids.length || !rows.length) return done;
      await checkpoint(o.signal);
    }
  }

  /**
   * Expands the queued documents and refreshes the neighbours they name. Stops between batches
   * when `signal` aborts (what is left stays queued; refreshes not yet made are dropped).
   */
  async expand(o: { signal?: AbortSignal } = {}): Promise<{ expanded: number; refreshed: number }> {
    const { expansion, bm25 } = this.settings;
    const expanded = new Set<number>();
    const refresh = new Set<number>();
    for (;;) {
      const queue = (await this.store.ranking.expansionQueue(BATCH)).filter((d) => !expanded.has(d));
      if (!queue.length) break;
      const index = await this.store.ranking.termIndex();
      const writes = queue.map((documentId) => {
        const e = expandDocument(index, documentId, expansion, bm25);
        expanded.add(documentId);
        for (const n of neighboursToRefresh(e)) refresh.add(n);
        return { documentId, terms: e.terms, neighbours: e.neighbours };
      });
      await this.store.ranking.setExpansions(writes);
      await checkpoint(o.signal);
    }
    const stale = [...refresh].filter((d) => !expanded.has(d));
    for (let i = 0; i < stale.length; i += BATCH) {
      const index = await this.store.ranking.termIndex();
      const writes = stale.slice(i, i + BATCH).map((documentId) => ({ documentId, ...expandDocument(index, documentId, expansion, bm25) }));
      await this.store.ranking.setExpansions(writes.map((w) => ({ documentId: w.documentId, terms: w.terms, neighbours: w.neighbours })));
      await checkpoint(o.signal);
    }
    return { expanded: expanded.size, refreshed: stale.length };
  }

  /** Why the latent model should be trained now: none yet, or stale; null when it is fine (or the corpus too small). */
  async latentDue(): Promise<'absent' | 'stale' | null> {
    // Asked before every ranking: a current model (the usual answer) is one row to read, while
    // counting the passages costs a pass over them.
    const state = await this.store.ranking.latentStaleness();
    if (state && !state.retrain) return null;
    const { passages } = await this.store.ranking.passageCount();
    if (!state) return passages >= this.settings.minLatentPassages ? 'absent' : null;
    return passages >= this.settings.minLatentPassages ? 'stale' : null;
  }

  /** Trains a latent model on the stored passages (not saved: see Store.ranking.saveLatent). */
  async trainLatent(o: { onProgress?: (p: LatentTrainingProgress) => void; signal?: AbortSignal } = {}): Promise<LatentModelWrite | null> {
    return this.store.ranking.trainLatent(this.settings.lsa, o);
  }
}

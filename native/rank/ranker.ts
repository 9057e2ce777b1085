/**
 * The "candidates and score" stage of similar past incidents, as one interface: documents like
 * an input, best first, each with the signals that ranked it, and an absolute confidence that
 * anything like the input exists at all. `native/similar` groups these into incidents, gives the
 * verdict and explains; how the documents are found and scored lives behind this interface.
 */
import type { DocumentKind, SectionRole } from '../contract.js';
import type { Confidence } from './confidence.js';

export interface RankRequest {
  /** The input as text (a symptom, chat lines, a whole write-up). */
  text: string;
  /** The input's passages with roles, and their vectors when known (an imported document). */
  passages: Array<{ text: string; role: SectionRole; vector?: Float32Array }>;
  /** Documents never to return nor to learn from (the input's own incident's records). */
  exclude: ReadonlySet<number>;
  kinds?: readonly DocumentKind[];
  /** Documents wanted (more than the incidents shown: several may be one incident's records). */
  limit: number;
  signal?: AbortSignal;
}

export interface RankedDocument {
  documentId: number;
  /** Fused score, comparable within one ranking only. */
  score: number;
  /** Each signal before fusion, in [0, 1] (null when that signal does not exist in this mode). */
  signals: { lexical: number; latent: number | null; semantic: number | null; entities: number };
  /** Share of the input's telling words (idf-weighted) that the document holds: for explanations. */
  coverage: number;
}

export interface DocumentRanking {
  mode: 'hybrid' | 'lexical';
  documents: RankedDocument[];
  /** The input's salient terms, most telling first; `seen` false for words no document has. */
  terms: Array<{ term: string; weight: number; seen: boolean }>;
  /** Absolute: is there anything like the input at all (see rank/confidence.ts). */
  confidence: Confidence;
}

export interface DocumentRanker {
  rank(request: RankRequest): Promise<DocumentRanking>;
}

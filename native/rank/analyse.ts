/**
 * What the store keeps per document for ranking: term frequencies per field for the document and
 * for each of its passages, and their lengths. Computed once at import (pure: no SQL), so that a
 * document added, replaced or removed changes the statistics by exactly its own rows.
 */
import { indexTerms } from './tokenize.js';

/** Scoring fields, in the order of every per-field array. */
export const FIELDS = ['title', 'headings', 'text', 'expansion'] as const;
export type Field = (typeof FIELDS)[number];
export const TITLE = 0;
export const HEADINGS = 1;
export const TEXT = 2;
export const EXPANSION = 3;

/** One number per field (FIELDS order). */
export type FieldValues = [number, number, number, number];

export const zeroFields = (): FieldValues => [0, 0, 0, 0];

/** A document as the importer has it. */
export interface SourceDocument {
  id: number;
  title: string;
  passages: ReadonlyArray<{ id: number; heading: string; text: string }>;
}

export interface AnalysedPassage {
  id: number;
  /** Term → frequencies in the passage's title (the document's), heading and text. */
  tf: Map<string, FieldValues>;
  length: FieldValues;
}

export interface AnalysedDocument {
  id: number;
  /** Term → frequencies over the whole document (title once, each distinct heading once, all text). */
  tf: Map<string, FieldValues>;
  length: FieldValues;
  passages: AnalysedPassage[];
}

function add(tf: Map<string, FieldValues>, length: FieldValues, terms: string[], field: number): void {
  for (const t of terms) {
    let v = tf.get(t);
    if (!v) tf.set(t, (v = zeroFields()));
    v[field]!++;
  }
  length[field]! += terms.length;
}

export function analyseDocument(doc: SourceDocument): AnalysedDocument {
  const titleTerms = indexTerms(doc.title);
  const tf = new Map<string, FieldValues>();
  const length = zeroFields();
  add(tf, length, titleTerms, TITLE);
  const headings = new Set<string>();
  const passages: AnalysedPassage[] = doc.passages.map((p) => {
    const ptf = new Map<string, FieldValues>();
    const plen = zeroFields();
    // FTS5 indexes the title with every passage (a title match lifts a whole document); so does this.
    add(ptf, plen, titleTerms, TITLE);
    const headingTerms = indexTerms(p.heading);
    add(ptf, plen, headingTerms, HEADINGS);
    const textTerms = indexTerms(p.text);
    add(ptf, plen, textTerms, TEXT);
    if (!headings.has(p.heading)) {
      headings.add(p.heading);
      add(tf, length, headingTerms, HEADINGS);
    }
    add(tf, length, textTerms, TEXT);
    return { id: p.id, tf: ptf, length: plen };
  });
  return { id: doc.id, tf, length, passages };
}

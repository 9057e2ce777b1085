/**
 * What an import card says at each moment, in words, from the engine's progress and summary.
 * Pure functions (tested without a DOM).
 */
import type { ImportHistoryEntry, ImportProgress, ImportSummary } from '../../../native/contract.js';
import { count, eta, plural } from './format.js';

/** One line for a running import. */
export function progressText(p: ImportProgress): string {
  switch (p.phase) {
    case 'queued':
      return 'Waiting for the import before it to finish…';
    case 'waiting':
      return `Waiting for ${p.waitingFor ?? 'another Hindsight process'} to finish writing the database…`;
    case 'scanning':
      return 'Looking through the files…';
    case 'done':
      return 'Finishing…';
    case 'importing': {
      const parts: string[] = [];
      if (p.filesTotal > 1) parts.push(`${count(p.filesDone)} of ${plural(p.filesTotal, 'file')}`);
      parts.push(plural(p.documents, 'document'));
      if (p.chunksEmbedded) parts.push(`${count(p.chunksEmbedded)} passages embedded`);
      if (p.filesFailed) parts.push(`${count(p.filesFailed)} failed`);
      const left = p.filesTotal > 1 ? eta(p.etaSeconds) : '';
      return parts.join(' · ') + (left ? ` · ${left}` : '');
    }
  }
}

/** The file being read, and how far inside it ("incidents.csv · record 1,200"). */
export function currentText(p: ImportProgress): string | null {
  if (p.phase !== 'importing' || !p.currentFile) return null;
  const name = p.currentFile.split(/[\\/]/).filter(Boolean).slice(-2).join('/');
  return p.currentRecords > 1 ? `${name} · record ${count(p.currentRecords)}` : name;
}

/**
 * How far along, 0–1, or null when it cannot be known: a single big file is read record by record
 * without a known total, so its bar moves without a fraction while the record count climbs.
 */
export function progressFraction(p: ImportProgress | undefined): number | null {
  if (!p || p.phase === 'queued' || p.phase === 'waiting' || p.phase === 'scanning') return null;
  if (p.phase === 'done') return 1;
  if (p.filesTotal <= 1) return null;
  return p.filesDone / p.filesTotal;
}

/** The headline of a finished import. */
export function summaryTitle(s: ImportSummary): string {
  if (s.status === 'cancelled') return 'Import cancelled';
  if (s.status === 'failed') return 'Import stopped by an error';
  return s.filesFailed ? 'Imported, with problems' : 'Imported';
}

/** What a finished import did, in one line: what it added, and for a cancelled one how far it got. */
export function summaryText(s: ImportSummary): string {
  const wrote = s.documentsAdded + s.documentsUpdated;
  const parts: string[] = [];
  if (s.status === 'cancelled') {
    parts.push(wrote ? `stopped after ${plural(wrote, 'document')}, which are kept` : 'stopped before any document was written');
  } else {
    parts.push(`${count(s.documentsAdded)} new`);
    if (s.documentsUpdated) parts.push(`${count(s.documentsUpdated)} updated`);
    if (s.documentsUnchanged) parts.push(`${count(s.documentsUnchanged)} unchanged`);
    if (!s.documentsAdded && !s.documentsUpdated && !s.documentsUnchanged) parts[0] = 'no documents found';
  }
  if (s.filesFailed) parts.push(`${plural(s.filesFailed, 'file')} failed`);
  if (s.skipped.length) parts.push(`${count(s.skipped.length)} skipped`);
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Problems of a finished import, failures first, each with the file as the user named it. */
export function summaryProblems(s: ImportSummary): Array<{ outcome: 'failed' | 'skipped'; source: string; message: string }> {
  return [
    ...s.errors.map((e) => ({ outcome: 'failed' as const, source: e.record ? `${e.source} (record ${e.record})` : e.source, message: e.message })),
    ...s.skipped.map((x) => ({ outcome: 'skipped' as const, source: x.source, message: x.reason })),
  ];
}

/** The history's line for an import. */
export function historyText(e: ImportHistoryEntry): string {
  if (e.status === 'queued') return 'Waiting to start';
  if (e.status === 'running') return 'Importing now';
  const parts: string[] = [];
  if (e.status === 'cancelled') parts.push('Cancelled');
  if (e.status === 'interrupted') parts.push('Interrupted (Hindsight stopped while it ran)');
  if (e.status === 'failed') parts.push('Stopped by an error');
  parts.push(`${count(e.documentsAdded)} new`);
  if (e.documentsUpdated) parts.push(`${count(e.documentsUpdated)} updated`);
  if (e.documentsUnchanged) parts.push(`${count(e.documentsUnchanged)} unchanged`);
  if (e.filesFailed) parts.push(`${plural(e.filesFailed, 'file')} failed`);
  if (e.filesSkipped) parts.push(`${count(e.filesSkipped)} skipped`);
  return parts.join(' · ');
}

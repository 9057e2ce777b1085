import { formatBytes, formatDuration } from '../common/time.js';
import type { ImportProgress, IndexProgress, Snippet } from '../contract.js';

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;

export const style = {
  bold: (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s),
  dim: (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s),
  mark: (s: string) => (useColor() ? `\x1b[1;33m${s}\x1b[22;39m` : `[${s}]`),
  red: (s: string) => (useColor() ? `\x1b[31m${s}\x1b[39m` : s),
};

/** A snippet with its highlights emphasised for a terminal. */
export function renderSnippet(s: Snippet): string {
  let out = '';
  let at = 0;
  for (const [a, b] of s.highlights) {
    out += s.text.slice(at, a) + style.mark(s.text.slice(a, b));
    at = b;
  }
  return out + s.text.slice(at);
}

/** The whole JSON contract of the CLI: one object on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise
 * (logs, CI), nothing at all with --quiet.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(private readonly enabled: boolean) {}

  private write(line: string, force: boolean) {
    if (!this.enabled) return;
    const now = Date.now();
    const tty = process.stderr.isTTY;
    if (!force && now - this.last < (tty ? 100 : 3000)) return;
    this.last = now;
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
      this.shown = true;
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  importing(p: ImportProgress) {
    if (p.phase === 'queued') return;
    if (p.phase === 'waiting') return this.write(`Waiting for ${p.waitingFor ?? 'another writer'} to finish…`, true);
    if (p.phase === 'scanning') return this.write('Scanning…', true);
    const eta = p.etaSeconds === null ? '' : `, ETA ${formatDuration(p.etaSeconds)}`;
    const failed = p.filesFailed ? `, ${p.filesFailed} failed` : '';
    this.write(
      `Importing ${p.filesDone}/${p.filesTotal} files${failed} · ${p.documents} documents · ${p.chunksEmbedded} passages embedded · ${p.rate.toFixed(1)} files/s${eta}`,
      p.phase === 'done',
    );
  }

  indexing(p: IndexProgress) {
    if (p.phase === 'waiting') return this.write('Waiting for another writer (an import or reindexing) to finish…', true);
    if (p.phase === 'paused') return this.write(`Embedding paused at ${p.done}/${p.total} passages`, true);
    const eta = p.etaSeconds === null ? '' : `, ETA ${formatDuration(p.etaSeconds)}`;
    this.write(`Embedding ${p.done}/${p.total} passages · ${p.rate.toFixed(1)}/s${eta}`, p.phase === 'done');
  }

  downloading(file: string, received: number, total: number | null) {
    const of = total ? ` of ${formatBytes(total)} (${Math.round((received / total) * 100)}%)` : '';
    this.write(`Downloading ${file}: ${formatBytes(received)}${of}`, total !== null && received >= total);
  }

  end() {
    if (this.shown) process.stderr.write('\n');
    this.shown = false;
  }
}

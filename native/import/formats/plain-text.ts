import { roleOfHeading } from '../../chunk/section-roles.js';
import { decodeText } from '../decode-text.js';
import type { ParsedDocument } from '../parsed-document.js';
import { postmortemDocument } from './postmortem.js';

export function parseText(path: string, bytes: Uint8Array): ParsedDocument[] {
  return [postmortemDocument(path, 'text', textToMarkdown(decodeText(bytes, path)))];
}

/**
 * Gives plain text (and text pulled out of PDFs) the headings it implies: underlined lines,
 * short lines that name a postmortem section ("Root cause", "IMPACT"), and "Label: text" lines
 * whose label names one. The first non-empty line becomes the title.
 */
export function textToMarkdown(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let titled = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    const trimmed = line.trim();
    const next = lines[i + 1]?.trim() ?? '';
    const prevBlank = i === 0 || !lines[i - 1]!.trim();
    if (!trimmed) {
      out.push('');
      continue;
    }
    if (/^#{1,6}\s/.test(trimmed)) {
      // Already a heading (the PDF reader marks large-font lines).
      out.push(titled ? trimmed : trimmed.replace(/^#+/, '#'));
      titled = true;
      continue;
    }
    if (!titled) {
      titled = true;
      out.push(`# ${trimmed}`);
      if (/^(=+|-+)$/.test(next)) i++;
      continue;
    }
    if (/^(=+|-+)$/.test(next) && next.length >= Math.min(3, trimmed.length)) {
      out.push('', `## ${trimmed}`, '');
      i++;
      continue;
    }
    const words = trimmed.split(/\s+/).length;
    const shortLine = trimmed.length <= 60 && words <= 8 && !/[.,;]$/.test(trimmed);
    const label = trimmed.replace(/:$/, '');
    if (prevBlank && shortLine && (roleOfHeading(label) || (/^[A-Z0-9 &/()-]{4,}$/.test(trimmed) && /[A-Z]/.test(trimmed)))) {
      out.push('', `## ${label}`, '');
      continue;
    }
    const inline = /^([A-Z][\w /&-]{2,40}):\s+(\S.*)$/.exec(trimmed);
    if (prevBlank && inline && roleOfHeading(inline[1]!)) {
      out.push('', `## ${inline[1]}`, '', inline[2]!);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

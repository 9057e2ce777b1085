/** An action of the app, as the command palette (and the desktop menu) offer it. */
export interface Command {
  id: string;
  title: string;
  group: 'Go to' | 'Import' | 'Semantic search' | 'Database' | 'Help';
  /** Other words it is found by ("preferences" finds Settings). */
  keywords?: string;
  shortcut?: string;
  run(): void;
}

/**
 * Commands whose title or keywords contain every typed word (as a word start), best first:
 * a match at the start of the title, then anywhere in the title, then in the keywords.
 */
export function matchCommands(commands: readonly Command[], query: string): Command[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...commands];
  const scored = commands.flatMap((c) => {
    const title = c.title.toLowerCase();
    const all = `${title} ${c.group.toLowerCase()} ${(c.keywords ?? '').toLowerCase()}`;
    const starts = (text: string, w: string) => text.startsWith(w) || text.includes(` ${w}`) || text.includes(`-${w}`);
    if (!words.every((w) => starts(all, w))) return [];
    const score = title.startsWith(words[0]!) ? 0 : words.every((w) => starts(title, w)) ? 1 : 2;
    return [{ c, score }];
  });
  return scored.sort((a, b) => a.score - b.score).map((x) => x.c);
}

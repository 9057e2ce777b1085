/** Keyboard movement in a result list: ↑/↓, Home/End, PageUp/PageDown; -1 means "nothing selected". */
export function moveSelection(current: number, key: string, count: number, page = 5): number {
  if (count === 0) return -1;
  switch (key) {
    case 'ArrowDown':
      return current < 0 ? 0 : Math.min(count - 1, current + 1);
    case 'ArrowUp':
      return current <= 0 ? 0 : current - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, Math.max(0, current) + page);
    case 'PageUp':
      return Math.max(0, current - page);
    default:
      return current;
  }
}

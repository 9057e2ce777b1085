import { readFileSync, writeFileSync } from 'node:fs';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

const DEFAULT: Bounds = { width: 1280, height: 820 };

/** The window's last bounds, if they are sane and still on a screen. */
export function loadBounds(file: string, screens: Array<{ x: number; y: number; width: number; height: number }>): Bounds {
  try {
    const b = JSON.parse(readFileSync(file, 'utf8')) as Bounds;
    if (!(b.width >= 640 && b.height >= 480 && b.width < 10_000 && b.height < 10_000)) return DEFAULT;
    if (b.x === undefined || b.y === undefined) return { width: b.width, height: b.height, maximized: !!b.maximized };
    const visible = screens.some((s) => b.x! < s.x + s.width - 80 && b.x! + b.width > s.x + 80 && b.y! >= s.y - 20 && b.y! < s.y + s.height - 80);
    return visible ? b : { width: b.width, height: b.height, maximized: !!b.maximized };
  } catch {
    return DEFAULT;
  }
}

export function saveBounds(file: string, b: Bounds): void {
  try {
    writeFileSync(file, JSON.stringify(b));
  } catch {
    // Not being able to remember the window is no reason to fail.
  }
}

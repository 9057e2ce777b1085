import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ApiMethod, Envelope } from '../native/contract.js';

/** What the desktop shell remembers between runs besides the window: the database the user chose. */
export interface ShellSettings {
  databasePath?: string;
}

export function loadSettings(file: string): ShellSettings {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { databasePath?: unknown };
    return typeof raw.databasePath === 'string' && isAbsolute(raw.databasePath) ? { databasePath: raw.databasePath } : {};
  } catch {
    return {};
  }
}

export function saveSettings(file: string, s: ShellSettings): void {
  try {
    writeFileSync(file, JSON.stringify(s));
  } catch {
    // Not being able to remember the choice is no reason to fail the switch itself.
  }
}

/**
 * Wraps the engine's door for the router: when the page switches databases and the engine agrees,
 * the choice is remembered, so that the next start (and a restart after a crash) opens it again.
 */
export function rememberingDatabase(
  forward: (method: ApiMethod, input: unknown) => Promise<Envelope<unknown>>,
  remember: (databasePath: string) => void,
): (method: ApiMethod, input: unknown) => Promise<Envelope<unknown>> {
  return async (method, input) => {
    const env = await forward(method, input);
    if (method === 'useDatabase' && env.ok) remember((env.value as { databasePath: string }).databasePath);
    return env;
  };
}

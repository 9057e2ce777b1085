import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-user data folder, the same one Electron's `app.getPath('userData')` gives for an app
 * named "Hindsight", so that the CLI and the desktop app share one database and model folder.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.HINDSIGHT_HOME) return env.HINDSIGHT_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Hindsight');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Hindsight');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Hindsight');
}

/** `--db` wins, then `HINDSIGHT_DB`, then the user data folder. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.HINDSIGHT_DB ?? join(userDataDir(env), 'hindsight.db');
}

/** Where `hindsight model fetch|import` installs models. */
export function userModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userDataDir(env), 'models');
}

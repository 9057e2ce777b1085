import { migration0010 } from './0010-initial.js';
import { migration0020 } from './0020-entities-links.js';

export interface Migration {
  /** Numbered in steps of 10; becomes `PRAGMA user_version` once applied. */
  version: number;
  sql: string;
}

/** Every migration, oldest first. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration0010, migration0020];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

import type Database from 'better-sqlite3';
import { migration0010 } from './0010-initial.js';
import { migration0020 } from './0020-entities-links.js';
import { migration0030 } from './0030-strict-tables-and-jobs.js';
import { migration0040 } from './0040-incidents.js';
import { migration0080 } from './0080-import-history.js';
import { migration0090 } from './0090-vector-indexes.js';
import { migration0100 } from './0100-term-statistics.js';
import { migration0110 } from './0110-rank-documents-count.js';
import { migration0120 } from './0120-passage-count.js';

export interface Migration {
  /** Numbered in steps of 10; becomes `PRAGMA user_version` once applied. */
  version: number;
  /** Statements to run. */
  sql?: string;
  /** Work that SQL alone cannot say (runs after `sql`, inside the same transaction). */
  up?: (db: Database.Database) => void;
}

/** Every migration, oldest first. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration0010, migration0020, migration0030, migration0040, migration0080, migration0090, migration0100, migration0110, migration0120];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

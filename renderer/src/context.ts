import { createContext, useContext } from 'react';
import type { AppInfo, Stats } from '../../native/contract';
import type { Route } from './lib/route';
import type { ImportState } from './state/use-imports';
import type { ModelState } from './state/use-model';
import type { Transport } from './transport';

export interface AppContextValue {
  transport: Transport;
  info: AppInfo | null;
  stats: Stats | null;
  refreshStats(): void;
  navigate(route: Route): void;
  /** Back to where the user came from; to the search when the page was opened directly. */
  back(): void;
  /** Opens a document's original (URL or file) through the shell. */
  openSource(documentId: number): void;
  openLink(href: string): void;
  /** Starts an import of files (dropped or picked). */
  importFiles(files: File[]): void;
  /** Opens the file (or folder) picker for an import. */
  pickFiles(): void;
  pickFolder(): void;
  imports: ImportState;
  model: ModelState;
  /** Switches to another database (a path typed or chosen). */
  switchDatabase(path: string): Promise<boolean>;
  openPalette(): void;
  toast(message: string, tone?: 'info' | 'error'): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppContext missing');
  return v;
}

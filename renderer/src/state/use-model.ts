import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiEvents, ContractError, IndexProgress, ModelInstalled, ModelProgress, ModelStatus } from '../../../native/contract';
import { relativePathOf, type Transport } from '../transport/types';
import { asContractError } from './use-imports';

export type InstallState =
  | { phase: 'idle' }
  | { phase: 'uploading'; done: number; total: number }
  | { phase: 'installing'; what: 'folder' | 'download'; progress: ModelProgress | null }
  | { phase: 'done'; result: ModelInstalled }
  | { phase: 'failed'; error: ContractError; retry: { folder?: string; files?: File[]; download?: string } };

export interface ModelState {
  status: ModelStatus | null;
  install: InstallState;
  /** Reindexing: running (with its last progress) or the last run's end. */
  reindex: { running: boolean; progress: IndexProgress | null; last: ApiEvents['indexDone'] | null };
  refresh(): void;
  /** A folder the user picked in the page (all its files). */
  installFolderFiles(files: File[], allowUnverified?: boolean): void;
  /** A folder path (the desktop menu's dialog, or one typed in). */
  installFolderPath(folder: string, allowUnverified?: boolean): void;
  /** A known model from its pinned source: only ever on the user's explicit request. */
  download(name: string): void;
  /** Retry the last failed install accepting weights that match no pin. */
  installUnverified(): void;
  startReindex(): void;
  cancelReindex(): void;
  dismissInstall(): void;
}

/**
 * The files of a picked model folder that an install reads (config, tokenizer, one ONNX file):
 * a downloaded folder also holds READMEs, Git files and the other weights, which need not travel.
 */
export function modelFiles(files: File[]): File[] {
  const inner = (f: File) => relativePathOf(f).split('/').slice(1).join('/');
  const wanted = files.filter((f) => {
    const p = inner(f);
    return /^[^/]+\.(json|txt)$/i.test(p) && !p.startsWith('.') ? true : /^onnx\/[^/]+\.onnx$/i.test(p);
  });
  // The quantized weights are preferred by the install (and a quarter of the size).
  const quantized = wanted.some((f) => inner(f) === 'onnx/model_quantized.onnx');
  return wanted.filter((f) => !/^onnx\//.test(inner(f)) || (quantized ? inner(f) === 'onnx/model_quantized.onnx' : inner(f) === 'onnx/model.onnx'));
}

export function useModel(transport: Transport, onChange: () => void, toast: (m: string, tone?: 'info' | 'error') => void): ModelState {
  const { api } = transport;
  const [status, setStatus] = useState<ModelStatus | null>(null);
  const [install, setInstall] = useState<InstallState>({ phase: 'idle' });
  const [reindex, setReindex] = useState<ModelState['reindex']>({ running: false, progress: null, last: null });
  const installing = useRef(false);

  const refresh = useCallback(() => {
    api.modelStatus({}).then(setStatus, () => {});
  }, [api]);

  useEffect(() => {
    refresh();
    const offModel = api.on('modelProgress', (p) => setInstall((s) => (s.phase === 'installing' ? { ...s, progress: p } : s)));
    const offIndex = api.on('indexProgress', (p) => setReindex((r) => ({ ...r, running: p.phase !== 'done' && p.phase !== 'cancelled', progress: p })));
    const offDone = api.on('indexDone', (d) => {
      setReindex({ running: false, progress: null, last: d });
      onChange();
      if (d.failure) toast(d.failure.message, 'error');
    });
    return () => {
      offModel();
      offIndex();
      offDone();
    };
  }, [api, onChange, refresh, toast]);

  const run = useCallback(
    async (what: 'folder' | 'download', call: () => Promise<ModelInstalled>, retry: { folder?: string; files?: File[]; download?: string }) => {
      setInstall({ phase: 'installing', what, progress: null });
      try {
        const result = await call();
        setInstall({ phase: 'done', result });
        refresh();
        onChange();
      } catch (e) {
        setInstall({ phase: 'failed', error: asContractError(e), retry });
      } finally {
        installing.current = false;
      }
    },
    [onChange, refresh],
  );

  const guard = () => {
    if (installing.current) return false;
    installing.current = true;
    return true;
  };

  const installFolderPath = useCallback(
    (folder: string, allowUnverified = false) => {
      if (!guard()) return;
      void run('folder', () => api.installModel({ folder, allowUnverified }), { folder });
    },
    [api, run],
  );

  const installFolderFiles = useCallback(
    (all: File[], allowUnverified = false) => {
      if (!guard()) return;
      const files = modelFiles(all);
      void (async () => {
        try {
          if (!files.some((f) => /\.onnx$/i.test(f.name))) {
            throw Object.assign(new Error(`The folder ${relativePathOf(all[0] ?? new File([], '?')).split('/')[0]} has no onnx/model_quantized.onnx or onnx/model.onnx: choose the model folder itself (it holds config.json, tokenizer.json and onnx/).`), { code: 'model-failed', reason: 'bad-model' });
          }
          setInstall({ phase: 'uploading', done: 0, total: files.reduce((n, f) => n + f.size, 0) });
          const folder = await transport.folderFor(files, (done, total) => setInstall({ phase: 'uploading', done, total }));
          // In a browser the upload is removed once installed or refused; a retry sends the files again.
          await run('folder', () => api.installModel({ folder, allowUnverified }), transport.kind === 'desktop' ? { folder } : { files: all });
        } catch (e) {
          installing.current = false;
          setInstall({ phase: 'failed', error: asContractError(e), retry: { files: all } });
        }
      })();
    },
    [api, run, transport],
  );

  const download = useCallback(
    (name: string) => {
      if (!guard()) return;
      void run('download', () => api.installModel({ download: name }), { download: name });
    },
    [api, run],
  );

  return {
    status,
    install,
    reindex,
    refresh,
    installFolderFiles,
    installFolderPath,
    download,
    installUnverified: () => {
      if (install.phase !== 'failed') return;
      const r = install.retry;
      if (r.folder) installFolderPath(r.folder, true);
      else if (r.files) installFolderFiles(r.files, true);
    },
    startReindex: () => {
      setReindex((r) => ({ ...r, running: true, progress: null }));
      api.startReindex({}).then(
        ({ pending }) => {
          if (!pending) toast('Every passage has its embedding already.');
        },
        (e: Error) => {
          setReindex((r) => ({ ...r, running: false }));
          toast(e.message, 'error');
        },
      );
    },
    cancelReindex: () => void api.cancelReindex({}).catch((e: Error) => toast(e.message, 'error')),
    dismissInstall: () => setInstall({ phase: 'idle' }),
  };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { ERROR_CODE_LIST, type ApiEvents, type ContractError, type ImportProgress, type ImportSummary, type SlackChannelInfo } from '../../../native/contract';
import type { Transport } from '../transport';

export interface ImportJob {
  key: string;
  label: string;
  importId: number | null;
  stage: 'uploading' | 'choosing' | 'starting' | 'running' | 'done' | 'failed';
  upload?: { done: number; total: number };
  progress?: ImportProgress;
  summary?: ImportSummary;
  failure?: ContractError;
  choice?: { paths: string[]; channels: SlackChannelInfo[]; source: string };
  /** Set when it ended: the card folds into the tray a few seconds later. */
  endedAt?: number;
  /** Folded into the tray (still listed there and in the history). */
  folded: boolean;
  /** The user asked to stop it before the engine knew it (while uploading or choosing channels). */
  cancelRequested?: boolean;
}

export interface ImportState {
  jobs: ImportJob[];
  importFiles(files: File[]): void;
  /** A job the engine already started (re-import, the desktop menu): give it a card. */
  track(importId: number, label: string): void;
  chooseChannels(key: string, channels: string[] | null): void;
  cancel(job: ImportJob): void;
  dismiss(key: string): void;
  fold(key: string): void;
  clearFinished(): void;
}

/** Slack exports bigger than this get a channel choice before importing. */
const CHOOSE_CHANNELS_ABOVE = 3;
/** How long a finished card stays open before it folds into the tray. */
export const FOLD_AFTER_MS = 6000;

type Done = ApiEvents['importDone'];

/**
 * Every import of this window, from the drop to the summary. Events may arrive before the call
 * that started the import has answered with its id (a small import is over by then), so events
 * of ids not yet known are kept and applied when the id arrives: no card is left at "Starting…".
 */
export function useImports(transport: Transport, onChange: () => void, toast: (m: string, tone?: 'info' | 'error') => void): ImportState {
  const { api } = transport;
  const [jobs, setJobs] = useState<ImportJob[]>([]);
  const early = useRef(new Map<number, { progress?: ImportProgress; done?: Done }>());
  const update = useCallback((key: string, patch: Partial<ImportJob>) => setJobs((js) => js.map((j) => (j.key === key ? { ...j, ...patch } : j))), []);

  const applyDone = (j: ImportJob, d: Done): ImportJob => ({
    ...j,
    stage: d.failure ? 'failed' : 'done',
    summary: d.summary ?? undefined,
    failure: d.failure ?? undefined,
    endedAt: Date.now(),
  });

  /** Gives a job its id, with whatever the engine already said about it. */
  const attach = useCallback((key: string, importId: number) => {
    const seen = early.current.get(importId);
    early.current.delete(importId);
    setJobs((js) =>
      js.map((j) => {
        if (j.key !== key) return j;
        let next: ImportJob = { ...j, importId, stage: 'running', progress: seen?.progress ?? j.progress };
        if (seen?.done) next = applyDone(next, seen.done);
        return next;
      }),
    );
  }, []);

  useEffect(() => {
    const labelFromHistory = (importId: number) =>
      void api.listImports({ limit: 20 }).then(
        (h) => {
          const e = h.imports.find((x) => x.importId === importId);
          if (e) setJobs((js) => js.map((j) => (j.importId === importId ? { ...j, label: e.label } : j)));
        },
        () => {},
      );
    const offProgress = api.on('importProgress', (p) => {
      setJobs((js) => {
        if (js.some((j) => j.importId === p.importId)) return js.map((j) => (j.importId === p.importId && j.stage !== 'done' && j.stage !== 'failed' ? { ...j, progress: p, stage: 'running' } : j));
        // Ours, but its id is not back yet: keep it for `attach`.
        if (js.some((j) => j.importId === null && j.stage === 'starting')) {
          early.current.set(p.importId, { ...early.current.get(p.importId), progress: p });
          return js;
        }
        // Started elsewhere (the desktop menu, the sample data, the command line's serve --demo).
        labelFromHistory(p.importId);
        return [...js, { key: `import-${p.importId}`, label: 'Import', importId: p.importId, stage: 'running', progress: p, folded: false }];
      });
      if (p.documents > 0 && p.documents % 50 === 0) onChange();
    });
    const offDone = api.on('importDone', (d) => {
      setJobs((js) => {
        if (js.some((j) => j.importId === d.importId)) return js.map((j) => (j.importId === d.importId ? applyDone(j, d) : j));
        early.current.set(d.importId, { ...early.current.get(d.importId), done: d });
        return js;
      });
      onChange();
    });
    return () => {
      offProgress();
      offDone();
    };
  }, [api, onChange]);

  // Finished cards fold into the tray after a moment; the ones with problems too (the tray and history keep them).
  useEffect(() => {
    const open = jobs.filter((j) => j.endedAt && !j.folded);
    if (!open.length) return;
    const next = Math.min(...open.map((j) => j.endedAt! + FOLD_AFTER_MS)) - Date.now();
    const t = setTimeout(() => setJobs((js) => js.map((j) => (j.endedAt && !j.folded && Date.now() >= j.endedAt + FOLD_AFTER_MS - 50 ? { ...j, folded: true } : j))), Math.max(50, next));
    return () => clearTimeout(t);
  }, [jobs]);

  const start = useCallback(
    async (key: string, paths: string[], channels?: string[]) => {
      update(key, { stage: 'starting' });
      try {
        const { importId } = await api.startImport({ paths, channels });
        attach(key, importId);
      } catch (e) {
        update(key, { stage: 'failed', failure: asContractError(e), endedAt: Date.now() });
      }
    },
    [api, attach, update],
  );

  const cancelled = useRef(new Set<string>());

  const importFiles = useCallback(
    (files: File[]) => {
      if (!files.length) return;
      const key = `${Date.now()}-${Math.random()}`;
      const label = dropLabel(files);
      setJobs((js) => [...js, { key, label, importId: null, stage: 'uploading', upload: { done: 0, total: files.length }, folded: false }]);
      void (async () => {
        try {
          const paths = await transport.pathsFor(files, (done, total) => update(key, { upload: { done, total } }));
          if (cancelled.current.has(key)) {
            void transport.discard(paths);
            return update(key, { stage: 'failed', failure: { code: 'cancelled', message: 'Import cancelled before it started.' }, endedAt: Date.now() });
          }
          if (!paths.length) throw new Error('Nothing to import: the dropped items have no files.');
          const preview = await api.previewImport({ paths });
          const slack = preview.sources.find((s) => (s.channels?.length ?? 0) > CHOOSE_CHANNELS_ABOVE);
          if (slack) update(key, { stage: 'choosing', choice: { paths, channels: slack.channels!, source: slack.source } });
          else await start(key, paths);
        } catch (e) {
          update(key, { stage: 'failed', failure: asContractError(e), endedAt: Date.now() });
          toast((e as Error).message, 'error');
        }
      })();
    },
    [api, start, toast, transport, update],
  );

  return {
    jobs,
    importFiles,
    track: (importId, label) =>
      setJobs((js) => {
        if (js.some((j) => j.importId === importId)) return js.map((j) => (j.importId === importId ? { ...j, label } : j));
        const seen = early.current.get(importId);
        early.current.delete(importId);
        let job: ImportJob = { key: `import-${importId}`, label, importId, stage: 'running', progress: seen?.progress, folded: false };
        if (seen?.done) job = applyDone(job, seen.done);
        return [...js, job];
      }),
    chooseChannels: (key, channels) => {
      const job = jobs.find((j) => j.key === key);
      if (!job?.choice) return;
      if (channels === null) {
        void transport.discard(job.choice.paths);
        return update(key, { stage: 'failed', failure: { code: 'cancelled', message: 'Import cancelled: no channel was chosen.' }, choice: undefined, endedAt: Date.now() });
      }
      void start(key, job.choice.paths, channels);
      update(key, { choice: undefined });
    },
    cancel: (job) => {
      if (job.importId) void api.cancelImport({ importId: job.importId }).catch((e: Error) => toast(e.message, 'error'));
      else {
        cancelled.current.add(job.key);
        update(job.key, { cancelRequested: true });
      }
    },
    dismiss: (key) => setJobs((js) => js.filter((j) => j.key !== key)),
    fold: (key) => update(key, { folded: true }),
    clearFinished: () => setJobs((js) => js.filter((j) => !j.endedAt)),
  };
}

/** What a drop is called: its one file or folder, or its first names. */
export function dropLabel(files: File[]): string {
  const tops = [...new Set(files.map((f) => ((f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name).split('/')[0]!))];
  if (tops.length === 1) return tops[0]!;
  if (tops.length === 2) return `${tops[0]}, ${tops[1]}`;
  return `${tops[0]}, ${tops[1]} and ${tops.length - 2} more`;
}

/** The contract form of a failed call (internal when it carries no contract code). */
export function asContractError(e: unknown): ContractError {
  const x = e as { code?: unknown; message?: unknown; reason?: unknown; hint?: unknown };
  const code = typeof x.code === 'string' && (ERROR_CODE_LIST as readonly string[]).includes(x.code) ? (x.code as ContractError['code']) : 'internal';
  return {
    code,
    message: typeof x.message === 'string' ? x.message : String(e),
    ...(typeof x.reason === 'string' ? { reason: x.reason } : {}),
    ...(typeof x.hint === 'string' ? { hint: x.hint } : {}),
  };
}

// Bundles the CLI (`native/cli/bin.ts`) into `dist/cli/`, with code splitting so that what a
// command imports lazily (importers, the server) stays in chunks it loads on first use.
//
// Why: a cold `hindsight search` spent most of its time resolving, reading and compiling
// ~250 ES modules one by one (zod alone is ~100 files). Our code, zod and commander are pure
// JavaScript and load as a handful of chunks, and what of zod we never call is left out (this is
// why the sources write `import * as z from 'zod'`: a namespace used by name can be tree-shaken,
// zod's `z` object cannot); every other package stays external and is loaded
// from node_modules as it is, because native addons (better-sqlite3, hnswlib-node, onnxruntime)
// and packages that read their own files (pdfjs-dist, transformers) need their real layout.
// The worker threads and Electron's engine process run the tsc output in `dist/native/`.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const BUNDLED = new Set(['zod', 'commander']);

const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

// commander requires node:child_process at load, for subcommands that are separate executables
// (we have none). Loading it (with net, dgram and their streams) was ~9 ms of every command, a
// sixth of what `--help` costs beyond Node's own start (node --cpu-prof): commander gets the
// module when it first touches it instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

// Chunk names carry a hash: chunks of an earlier build would pile up beside the new ones.
rmSync('dist/cli', { recursive: true, force: true });

await build({
  entryPoints: { hindsight: 'native/cli/bin.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [lazyChildProcess, externalPackages],
  // commander is CommonJS: its require() of Node built-ins needs a require in an ES module.
  banner: { js: "import { createRequire as __hindsightRequire } from 'node:module'; const require = __hindsightRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning',
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer is built to static files served by the desktop shell (app:// protocol) or the
// browser-mode bridge under a per-run token path: every URL in it must be relative.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

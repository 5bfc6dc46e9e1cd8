// Builds the editor UI (src/ui, Preact + CodeMirror 6) into dist/ui, which `quire serve` serves
// (src/server/routes/static.ts). Heavy parts (vega-embed, the output fixtures) are dynamic imports,
// so they are separate chunks loaded only when a chart or the fixture page is shown.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/ui',
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: '../../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    // vega is ~1 MB minified and lives in its own lazily loaded chunk.
    chunkSizeWarningLimit: 2000,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});

// Build 3: the co-browse recorder (rrweb), a separate IIFE (cobrowse.js) the loader adds to the
// host page only when a co-browse starts. Must run after the frame build (no emptying).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  publicDir: false,
  build: {
    outDir: resolve(root, '../server/ChatDesk.Server/wwwroot/widget'),
    emptyOutDir: false,
    target: 'es2018',
    sourcemap: false,
    lib: {
      entry: resolve(root, 'src/cobrowse/index.ts'),
      name: 'ChatDeskCobrowseBundle',
      formats: ['iife'],
      fileName: () => 'cobrowse.js',
    },
  },
});

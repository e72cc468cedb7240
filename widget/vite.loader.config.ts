// Build 2: the loader script embedded on customer sites: a single IIFE file
// with a stable name (widget.js). Must run after the frame build (no emptying).
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
      entry: resolve(root, 'src/loader/index.ts'),
      name: 'ChatDeskLoader',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});

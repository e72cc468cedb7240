// Build 1: the chat UI that runs inside the iframe (frame.html + hashed assets).
// Runs first and empties the output folder (wwwroot/widget only).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
export const outDir = resolve(root, '../server/ChatDesk.Server/wwwroot/widget');

export default defineConfig({
  root,
  base: '/widget/',
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    rolldownOptions: {
      input: { frame: resolve(root, 'frame.html') },
    },
  },
});

// The host-page scripts (widget.js, cobrowse.js): one IIFE file each with a stable name, written next to
// the frame build's output (no emptying: they run after it).
import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';

const root = import.meta.dirname;

export function iifeScript(entry: string, name: string, fileName: string): UserConfig {
  return defineConfig({
    root,
    publicDir: false,
    build: {
      outDir: resolve(root, '../server/ChatDesk.Server/wwwroot/widget'),
      emptyOutDir: false,
      target: 'es2018',
      sourcemap: false,
      lib: { entry: resolve(root, entry), name, formats: ['iife'], fileName: () => fileName },
    },
  });
}

import { defineConfig } from 'vitest/config';

// The ASP.NET Core server serves the built console at /console/ (index.html fallback).
// For `npm run dev`, API and hub calls are proxied to a locally running server.
const devServer = 'http://localhost:5000';

export default defineConfig({
  base: '/console/',
  build: {
    outDir: '../server/ChatDesk.Server/wwwroot/console',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: devServer, changeOrigin: false },
      '/hubs': { target: devServer, changeOrigin: false, ws: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});

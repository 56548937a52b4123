import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The operator console: static files served by the API at /console (same origin, strict CSP).
 * `npm run build` writes them to dist/apps/console, which the API's build looks for beside itself.
 */
export default defineConfig({
  root,
  base: '/console/',
  cacheDir: '../../node_modules/.vite/apps/console',
  plugins: [react()],
  server: {
    port: 4200,
    // `nx serve console`: the API (npm start) answers the REST calls.
    proxy: { '/api': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: '../../dist/apps/console',
    emptyOutDir: true,
    reportCompressedSize: true,
    // No inline script or style: the API serves the console under `script-src 'self'; style-src 'self'`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // ECharts (about 190 kB gzip) is its own chunk, loaded when the first chart is drawn.
    chunkSizeWarningLimit: 600,
  },
  test: {
    root,
    environment: 'node',
    include: ['src/**/*.spec.{ts,tsx}'],
    reporters: ['default'],
  },
});

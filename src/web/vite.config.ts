// Builds the web UI (React) into dist/web, which `orrery up` serves at `/` (server/web-routes).
// `npm run build` runs it after tsc; `npm run web:dev` serves it with the API proxied.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  // The proxy passes the browser's Host (localhost:5173) through, and Orrery answers loopback
  // names on any port; the page's Origin then equals that Host, so the UI's writes count as
  // Orrery's own origin (server/request-guard). Do not set changeOrigin: the Origin would differ.
  server: { proxy: { '/api': process.env.ORRERY_SERVER ?? 'http://127.0.0.1:8470' } },
  logLevel: 'warn',
});

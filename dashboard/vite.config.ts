// Production build of the dashboard UI into dashboard/dist/ui, which the server (built into dist/server) serves.
import preact from '@preact/preset-vite';
import { defaultClientConditions, defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./src/ui/', import.meta.url)),
  plugins: [preact()],
  // Workspace packages (@eventline/contract) are bundled from their source, so the UI builds without theirs.
  resolve: { conditions: ['@eventline/source', ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/', import.meta.url)),
    emptyOutDir: true,
    // The server's CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});

// Builds the demo's browser scripts (src/browser/) into demo-site/dist/browser/assets;
// the server (src/server/) builds with tsc into dist/server. The npm page
// imports @eventline/sdk's ESM build; Vite follows its
// `new URL('./eventline.worker.js', import.meta.url)` and emits the worker too.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const page = (name: string) => fileURLToPath(new URL(`./src/browser/${name}.ts`, import.meta.url));

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('./dist/browser/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { recording: page('recording'), npm: page('npm') },
      output: {
        entryFileNames: 'assets/[name].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});

// Builds dist/: index.js (ESM for bundlers), eventline.iife.js (script tag),
// eventline.worker.js (worker, also loadable as a page script for the
// main-thread fallback), snippet.min.js (inline loader) and the .d.ts files.
// Everything is self-contained: Comlink is bundled, so dist/ works unbundled.
import { readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import ts from 'typescript';

const plugins = () => [
  // Workspace packages (@eventline/kit/backoff) are bundled from their source, so the SDK builds without theirs.
  nodeResolve({ extensions: ['.ts', '.mjs', '.js'], browser: true, exportConditions: ['@eventline/source'] }),
  esbuild({ target: 'es2021', include: /\.[cm]?[jt]s$/, exclude: /node_modules\/(?!@eventline)/ }),
  // unsafe_symbols drops the descriptions of Comlink's private symbols (only
  // seen in a debugger); the other unsafe_* assume no one patched built-ins.
  terser({
    ecma: 2020,
    module: true,
    toplevel: true,
    compress: {
      passes: 3,
      hoist_funs: true,
      pure_getters: true,
      unsafe: true,
      unsafe_comps: true,
      unsafe_arrows: true,
      unsafe_methods: true,
      unsafe_proto: true,
      unsafe_symbols: true,
    },
    format: { comments: false },
  }),
];

/** Emits dist/index.d.ts and dist/types.d.ts from the public entry, which only depends on types.ts. */
const declarations = () => ({
  name: 'declarations',
  generateBundle() {
    for (const file of ['index', 'types']) {
      const source = readFileSync(new URL(`./src/${file}.ts`, import.meta.url), 'utf8');
      const { outputText, diagnostics } = ts.transpileDeclaration(source, {
        fileName: `${file}.ts`,
        compilerOptions: { stripInternal: true, allowImportingTsExtensions: true },
        reportDiagnostics: true,
      });
      if (diagnostics?.length) this.error(ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n'));
      this.emitFile({
        type: 'asset',
        fileName: `${file}.d.ts`,
        source: outputText.replace(/(from '\.\/[\w-]+)\.ts'/g, "$1.js'"),
      });
    }
  },
});

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es', sourcemap: true },
    plugins: [...plugins(), declarations()],
  },
  {
    input: 'src/iife.ts',
    output: { file: 'dist/eventline.iife.js', format: 'iife', sourcemap: true },
    plugins: plugins(),
  },
  {
    input: 'src/worker/worker.ts',
    output: { file: 'dist/eventline.worker.js', format: 'iife', sourcemap: true },
    plugins: plugins(),
  },
  {
    input: 'src/snippet.js',
    output: { file: 'dist/snippet.min.js', format: 'es' },
    plugins: [terser({ ecma: 5, compress: { passes: 2 }, format: { comments: false } })],
  },
];

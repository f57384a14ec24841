// Builds dist/: index.js (ESM for bundlers), eventline.iife.js (script tag),
// eventline.connect.js (the worker connection both load at init),
// eventline.worker.js (worker, also loadable as a page script for the
// main-thread fallback), snippet.min.js (inline loader) and the .d.ts files.
// Everything is self-contained: Comlink is bundled, so dist/ works unbundled.
// No source maps: theirs would point at src/, the contract and Comlink, none of
// which the package ships (a packaging test lists the tarball's files).
import { readFileSync, rmSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import ts from 'typescript';

const plugins = () => [
  nodeResolve({ extensions: ['.ts', '.mjs', '.js'], browser: true }),
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
    // Bundlers must leave the SDK's own import() of eventline.connect.js to the browser.
    format: { comments: /webpackIgnore|@vite-ignore/ },
  }),
];

/**
 * Emits dist/index.d.ts, dist/testing.d.ts and dist/types.d.ts from the public
 * entries, which only depend on types.ts, and the hand-written declarations of
 * the script files (declarations/), so every export of package.json has its types.
 */
const declarations = () => ({
  name: 'declarations',
  generateBundle() {
    for (const file of ['index', 'types', 'testing']) {
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
    for (const file of ['eventline.iife', 'eventline.connect', 'eventline.worker', 'snippet.min']) {
      const source = readFileSync(new URL(`./declarations/${file}.d.ts`, import.meta.url), 'utf8');
      this.emitFile({ type: 'asset', fileName: `${file}.d.ts`, source });
    }
  },
});

/** Empties dist/ before the first output, so files an older build left behind are never packed. */
const cleanDist = () => ({
  name: 'clean-dist',
  buildStart() {
    rmSync(new URL('./dist/', import.meta.url), { recursive: true, force: true });
  },
});

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es' },
    // rollup builds the configurations one after another, this one first.
    plugins: [cleanDist(), ...plugins(), declarations()],
  },
  {
    // @eventline/sdk/testing: for sites' tests, never loaded by the SDK.
    input: 'src/testing.ts',
    output: { file: 'dist/testing.js', format: 'es' },
    plugins: plugins(),
  },
  {
    input: 'src/iife.ts',
    output: { file: 'dist/eventline.iife.js', format: 'iife' },
    plugins: plugins(),
  },
  {
    // Loaded by both main-thread builds at init (import()), outside their size budget: Comlink and the worker start-up.
    input: 'src/transport/connect.ts',
    output: { file: 'dist/eventline.connect.js', format: 'es' },
    plugins: plugins(),
  },
  {
    input: 'src/worker/worker.ts',
    output: { file: 'dist/eventline.worker.js', format: 'iife' },
    plugins: plugins(),
  },
  {
    input: 'src/snippet.js',
    output: { file: 'dist/snippet.min.js', format: 'es' },
    plugins: [terser({ ecma: 5, compress: { passes: 2 }, format: { comments: false } })],
  },
];

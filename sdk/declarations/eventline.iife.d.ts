// The script-tag build exports nothing: it defines `window.eventline`, whose
// methods are the package's API (with the snippet, a queue until it loads).
// `import type {} from '@eventline/sdk/eventline.iife.js'` types that global.
import type * as eventline from './index.js';

declare global {
  interface Window {
    eventline: typeof eventline;
  }
}

export {};

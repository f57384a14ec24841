// Progress lines for long steps (downloads, builds, broker start-up) so a first
// run never looks hung.

export interface Progress {
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  info(line: string): void;
}

export function consoleProgress(prefix = 'eventline'): Progress {
  return {
    async step(label, work) {
      const started = Date.now();
      process.stdout.write(`[${prefix}] ${label} …\n`);
      const ticker = setInterval(() => {
        process.stdout.write(
          `[${prefix}]   still ${label.toLowerCase()} (${Math.round((Date.now() - started) / 1000)} s)\n`,
        );
      }, 15_000);
      try {
        const result = await work();
        process.stdout.write(`[${prefix}] ${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        return result;
      } finally {
        clearInterval(ticker);
      }
    },
    info(line) {
      process.stdout.write(`[${prefix}] ${line}\n`);
    },
  };
}

export const silentProgress: Progress = {
  step: (_label, work) => work(),
  info: () => {},
};

// Types of public/sdk-monitor.js, and the interpretation of the SDK's debug lines.

export interface MonitorRecord {
  level: 'info' | 'warn';
  at: number;
  /** The console arguments after the `[eventline]` prefix. */
  args: unknown[];
  /** The first argument: `[eventline]`, or `[eventline] <message>` for warnings. */
  text: string;
}

export interface Monitor {
  records: MonitorRecord[];
  subscribe(listener: (record: MonitorRecord) => void): void;
}

export type SdkActivity =
  | { kind: 'beacon'; count: number; ok: boolean }
  | { kind: 'batch'; count: number; outcome: string; rejected: number }
  | { kind: 'dropped'; count: number; reason: string }
  | { kind: 'warning'; message: string }
  | { kind: 'other'; message: string };

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const BATCH = /^POST (\d+) event\(s\) → (\w+)$/;
const DROPPED = /^dropped (\d+) event\(s\): (.*)$/;

/**
 * One debug line of the SDK (its `debug` option) → what the panel shows. The
 * page sees the main thread's lines (beacons, warnings); batch and drop lines
 * reach it only when delivery runs on the main thread (no Worker support).
 */
export function interpret(record: MonitorRecord): SdkActivity {
  if (record.level === 'warn') return { kind: 'warning', message: record.text.replace(/^\[eventline\]\s*/, '') };
  const [what, first, second] = record.args;
  if (what === 'beacon') return { kind: 'beacon', count: Number(first) || 0, ok: second !== false };
  const batch = typeof what === 'string' ? BATCH.exec(what) : null;
  if (batch) {
    const rejected = (first as { rejected?: unknown[] } | undefined)?.rejected?.length ?? 0;
    return { kind: 'batch', count: Number(batch[1]), outcome: batch[2]!, rejected };
  }
  const dropped = typeof what === 'string' ? DROPPED.exec(what) : null;
  if (dropped) return { kind: 'dropped', count: Number(dropped[1]), reason: dropped[2]! };
  return { kind: 'other', message: record.args.map(describe).join(' ').slice(0, 200) };
}

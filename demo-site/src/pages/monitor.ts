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
  | { kind: 'retry'; count: number; reason: string }
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

/** One debug line of the SDK (see its `debug` option) → what the panel shows. */
export function interpret(record: MonitorRecord): SdkActivity {
  if (record.level === 'warn') return { kind: 'warning', message: record.text.replace(/^\[eventline\]\s*/, '') };
  const [what, first, second] = record.args;
  const report = first as { ids?: unknown[]; reason?: string } | undefined;
  switch (what) {
    case 'beacon':
      return { kind: 'beacon', count: Number(first) || 0, ok: second !== false };
    case 'retry':
    case 'dropped':
      return { kind: what, count: report?.ids?.length ?? 0, reason: String(report?.reason ?? '') };
    default:
      return { kind: 'other', message: record.args.map(describe).join(' ').slice(0, 200) };
  }
}

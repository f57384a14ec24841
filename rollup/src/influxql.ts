// InfluxQL over InfluxDB 1.8's /query and line protocol over /write: what the
// rollups need and the v2 client does not speak. Values reach a statement only
// as bound parameters (`$name`, sent as `params`); identifiers are quoted here
// and come from the contract. Results stream in chunks, so memory is bounded by
// a chunk, not by the answer.
import { RollupError } from './errors.ts';

export interface InfluxQLOptions {
  /** Base URL of InfluxDB, e.g. http://127.0.0.1:8086. */
  url: string;
  /** `Token user:password` credentials; empty when auth is off. Default: '' */
  token?: string;
  database: string;
  /** Per request. Default: 10 000 ms */
  timeoutMs?: number;
  /** Rows per streamed chunk. Default: 10 000 */
  chunkSize?: number;
}

export type Params = Record<string, string | number | boolean>;
export type Row = Record<string, unknown>;

/** A quoted InfluxQL identifier. */
export const ident = (name: string): string => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export interface InfluxQL {
  readonly database: string;
  /**
   * Rows of one SELECT, chunk by chunk, with the series tags merged in and `time` as epoch ms, or with `times:
   * 'rfc3339'` as InfluxDB's RFC 3339 text (nanoseconds kept). Stopping early cancels the rest of the answer.
   */
  rows(statement: string, params?: Params, options?: { times?: 'ms' | 'rfc3339' }): AsyncGenerator<Row[]>;
  /** Runs a statement that answers no rows (CREATE, ALTER, DROP). */
  exec(statement: string): Promise<void>;
  /** Writes lines of line protocol into a retention policy. */
  write(lines: readonly string[], retentionPolicy: string, precision?: 'ms' | 'ns'): Promise<void>;
}

interface Series {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}
interface Result {
  error?: string;
  series?: Series[];
}

export function createInfluxQL(options: InfluxQLOptions): InfluxQL {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Uncompressed: on one host or a LAN, gzip only costs InfluxDB and this process CPU.
  const headers: Record<string, string> = {
    'accept-encoding': 'identity',
    ...(options.token ? { authorization: `Token ${options.token}` } : {}),
  };

  async function post(path: string, search: Record<string, string>, body?: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${options.url}${path}?${new URLSearchParams(search)}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RollupError('ROLLUP_INFLUX_UNAVAILABLE', `${path}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok)
      throw new RollupError('ROLLUP_INFLUX_REFUSED', `${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }

  function check(result: Result | undefined, statement: string): void {
    if (result?.error) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\`: ${result.error}`);
  }

  return {
    database: options.database,

    async *rows(statement, params = {}, { times = 'ms' } = {}) {
      const response = await post('/query', {
        db: options.database,
        q: statement,
        params: JSON.stringify(params),
        ...(times === 'ms' ? { epoch: 'ms' } : {}),
        chunked: 'true',
        chunk_size: String(options.chunkSize ?? 10_000),
      });
      let buffered = '';
      const decoder = new TextDecoder();
      const chunkOf = (line: string): Row[] => {
        const parsed = JSON.parse(line) as { results?: Result[]; error?: string };
        if (parsed.error) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\`: ${parsed.error}`);
        const rows: Row[] = [];
        for (const result of parsed.results ?? []) {
          check(result, statement);
          for (const series of result.series ?? []) {
            for (const values of series.values ?? []) {
              const row: Row = { ...series.tags };
              series.columns.forEach((column, i) => (row[column] = values[i]));
              rows.push(row);
            }
          }
        }
        return rows;
      };
      if (!response.body) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\` answered no body`);
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffered += decoder.decode(value, { stream: true });
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) yield chunkOf(line);
          }
        }
        if (buffered.trim()) yield chunkOf(buffered.trim());
      } finally {
        // A consumer that stopped early (a page is full) leaves the rest of the answer unread: release it.
        await reader.cancel().catch(() => {});
      }
    },

    async exec(statement) {
      const response = await post('/query', { db: options.database, q: statement });
      const body = (await response.json()) as { results?: Result[]; error?: string };
      if (body.error) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\`: ${body.error}`);
      for (const result of body.results ?? []) check(result, statement);
    },

    async write(lines, retentionPolicy, precision = 'ms') {
      if (lines.length === 0) return;
      await post('/write', { db: options.database, rp: retentionPolicy, precision }, lines.join('\n'));
    },
  };
}

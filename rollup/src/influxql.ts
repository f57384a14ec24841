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
  /**
   * Longest wait for InfluxDB: for its answer and, while rows stream, for each next chunk. A long scan that keeps
   * streaming (a busy hour rolled up) is never cut by it; a stalled one is. Default: 10 000 ms
   */
  timeoutMs?: number;
  /** Longest a whole request may take, its rows streamed included (a reader answering people). Default: none */
  totalTimeoutMs?: number;
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

  /** An abort signal for one request: after `timeoutMs` without progress (`progress()` restarts the wait), or totalTimeoutMs. */
  function deadlines(path: string) {
    const idle = new AbortController();
    const stalled = () =>
      idle.abort(new RollupError('ROLLUP_INFLUX_UNAVAILABLE', `${path}: nothing from InfluxDB for ${timeoutMs} ms`));
    let timer = setTimeout(stalled, timeoutMs);
    const signal =
      options.totalTimeoutMs === undefined
        ? idle.signal
        : AbortSignal.any([idle.signal, AbortSignal.timeout(options.totalTimeoutMs)]);
    return {
      signal,
      progress() {
        clearTimeout(timer);
        timer = setTimeout(stalled, timeoutMs);
      },
      done: () => clearTimeout(timer),
    };
  }

  /** The reason a request failed, as a RollupError. */
  function failure(path: string, error: unknown): RollupError {
    if (error instanceof RollupError) return error;
    return new RollupError('ROLLUP_INFLUX_UNAVAILABLE', `${path}: ${(error as Error).message}`, { cause: error });
  }

  async function post(
    path: string,
    search: Record<string, string>,
    body?: string,
  ): Promise<{ response: Response; deadline: ReturnType<typeof deadlines> }> {
    const deadline = deadlines(path);
    let response: Response;
    try {
      response = await fetch(`${options.url}${path}?${new URLSearchParams(search)}`, {
        method: 'POST',
        headers,
        body,
        signal: deadline.signal,
      });
    } catch (error) {
      deadline.done();
      throw failure(path, deadline.signal.reason ?? error);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      deadline.done();
      throw new RollupError('ROLLUP_INFLUX_REFUSED', `${path} answered ${response.status}: ${text}`);
    }
    deadline.progress();
    return { response, deadline };
  }

  /** The whole body of an answer, read within the request's deadlines. */
  async function whole(path: string, answer: Awaited<ReturnType<typeof post>>): Promise<string> {
    try {
      return await answer.response.text();
    } catch (error) {
      throw failure(path, answer.deadline.signal.reason ?? error);
    } finally {
      answer.deadline.done();
    }
  }

  function check(result: Result | undefined, statement: string): void {
    if (result?.error) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\`: ${result.error}`);
  }

  return {
    database: options.database,

    async *rows(statement, params = {}, { times = 'ms' } = {}) {
      const { response, deadline } = await post('/query', {
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
            const { columns, tags } = series;
            for (const values of series.values ?? []) {
              const row: Row = tags ? { ...tags } : {};
              for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
              rows.push(row);
            }
          }
        }
        return rows;
      };
      if (!response.body) {
        deadline.done();
        throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\` answered no body`);
      }
      const reader = response.body.getReader();
      const read = async () => {
        try {
          return await reader.read();
        } catch (error) {
          throw failure('/query', deadline.signal.reason ?? error);
        }
      };
      try {
        for (;;) {
          const { done, value } = await read();
          if (done) break;
          deadline.progress();
          const piece = decoder.decode(value, { stream: true });
          // A chunk of rows is megabytes in pieces of kilobytes: look for its end in the new piece only.
          let newline = piece.indexOf('\n');
          if (newline < 0) {
            buffered += piece;
            continue;
          }
          let text = buffered + piece;
          newline += buffered.length;
          while (newline >= 0) {
            const line = text.slice(0, newline).trim();
            text = text.slice(newline + 1);
            if (line) yield chunkOf(line);
            newline = text.indexOf('\n');
          }
          buffered = text;
        }
        if (buffered.trim()) yield chunkOf(buffered.trim());
      } finally {
        deadline.done();
        // A consumer that stopped early (a page is full) leaves the rest of the answer unread: release it.
        await reader.cancel().catch(() => {});
      }
    },

    async exec(statement) {
      const answer = await post('/query', { db: options.database, q: statement });
      const body = JSON.parse(await whole('/query', answer)) as { results?: Result[]; error?: string };
      if (body.error) throw new RollupError('ROLLUP_QUERY_FAILED', `\`${statement}\`: ${body.error}`);
      for (const result of body.results ?? []) check(result, statement);
    },

    async write(lines, retentionPolicy, precision = 'ms') {
      if (lines.length === 0) return;
      const path = '/write';
      await whole(path, await post(path, { db: options.database, rp: retentionPolicy, precision }, lines.join('\n')));
    },
  };
}

// The one configuration loader of the services: each service describes its
// settings once (a TypeBox schema in the shape the code uses, the defaults, and
// the variable behind each setting), and this reads the environment, reports
// every problem at once naming each variable, and returns the result frozen.
// It is the only code in the services that receives process.env.
import { readFileSync } from 'node:fs';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { readableErrors } from '@eventline/contract';

export type Env = Readonly<Record<string, string | undefined>>;

/** pino's levels, for every service's log level setting. */
export const LogLevelSchema = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);

/** Where a setting comes from. */
export interface EnvSource {
  /** The variable holding the value. */
  readonly name: string;
  /** A variable naming a file that holds the value instead (for secrets mounted as files). */
  readonly file?: string;
  /** What to write, for a setting with no default that is missing. */
  readonly hint?: string;
  /** The value is never repeated in a problem. Default: false */
  readonly secret?: boolean;
}

export interface ConfigSpec<S extends TObject, T> {
  /** Named in the error message: "invalid <service> configuration". */
  readonly service: string;
  readonly schema: S;
  /** Values of settings whose variable is unset or empty, in the schema's shape. */
  readonly defaults: DeepPartial<Static<S>>;
  /** The variable behind each setting, keyed by its dotted path (`kafka.brokers`). */
  readonly env: Readonly<Record<string, string | EnvSource>>;
  /** Settings derived from the others (computed after the schema check, before `checks`). */
  readonly derive?: (values: Static<S>) => T;
  /** What the schema cannot say (how settings relate), one problem per entry. */
  readonly checks?: (config: T, name: (path: string) => string) => readonly string[];
}

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${service} configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads the settings of `spec` from `env`; throws a ConfigError listing every
 * problem, each naming its variable.
 */
export function loadConfig<S extends TObject, T = Static<S>>(spec: ConfigSpec<S, T>, env: Env): Readonly<T> {
  const problems: string[] = [];
  const sources = new Map(Object.entries(spec.env).map(([path, s]) => [path, typeof s === 'string' ? { name: s } : s]));
  const raw = structuredClone(spec.defaults) as Record<string, unknown>;
  const given = new Map<string, string>();
  for (const [path, source] of sources) {
    const text = readSource(source, env, problems);
    if (text === undefined) {
      if (valueAt(raw, path) === undefined && !problems.some((p) => p.startsWith(source.name)))
        problems.push(`${source.name}: required${source.hint ? `; ${source.hint}` : ''}`);
      continue;
    }
    given.set(path, text);
    const parsed = parse(schemaAt(spec.schema, path), text);
    if (parsed.ok) setAt(raw, path, parsed.value);
    else problems.push(`${source.name}: ${parsed.problem}`);
  }
  const unreadable = new Set(problems.map((p) => p.split(':')[0]));
  for (const error of readableErrors(Compile(spec.schema).Errors(raw))) {
    const path = error.instancePath.split('/').slice(1);
    const owner = ownerOf(sources, path);
    const source = owner === undefined ? undefined : sources.get(owner);
    if (source && unreadable.has(source.name)) continue;
    // A setting missing with no default is reported above as required, by its variable.
    if (error.keyword === 'required') continue;
    const name = source?.name ?? (path.join('.') || 'configuration');
    const rest = owner === undefined ? [] : path.slice(owner.split('.').length);
    const where = rest.length > 0 ? ` (at ${rest.join('/')})` : '';
    const shown = source !== undefined && given.has(owner!) && !source.secret;
    const got = shown ? `, got ${JSON.stringify(valueAt(raw, path.join('.')))}` : '';
    problems.push(`${name}${where}: ${error.message}${got}`);
  }
  if (problems.length > 0) throw new ConfigError(spec.service, [...new Set(problems)]);
  const values = raw as Static<S>;
  const config = spec.derive ? spec.derive(values) : (values as unknown as T);
  const name = (path: string): string => sources.get(path)?.name ?? path;
  const related = spec.checks?.(config, name) ?? [];
  if (related.length > 0) throw new ConfigError(spec.service, related);
  return deepFreeze(config);
}

/** Freezes `value` and everything it holds. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function readSource(source: EnvSource, env: Env, problems: string[]): string | undefined {
  const inline = nonEmpty(env[source.name]);
  const file = source.file === undefined ? undefined : nonEmpty(env[source.file]);
  if (inline !== undefined && file !== undefined) {
    problems.push(`${source.name}: set either ${source.name} or ${source.file}, not both`);
    return undefined;
  }
  if (file === undefined) return inline;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    problems.push(`${source.name}: cannot read ${source.file}=${file} (${reason})`);
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * A variable's text as the value its schema expects: numbers and booleans are
 * converted when they read as such (anything else is left for the schema to
 * refuse), a list of strings is comma-separated, other lists and objects are JSON.
 */
function parse(schema: TSchema | undefined, text: string): Parsed {
  const kinds = kindsOf(schema);
  const trimmed = text.trim();
  if (kinds.has('boolean') && /^(true|false|1|0)$/i.test(trimmed))
    return { ok: true, value: /^(true|1)$/i.test(trimmed) };
  if ((kinds.has('integer') || kinds.has('number')) && /^-?\d+(\.\d+)?$/.test(trimmed))
    return { ok: true, value: Number(trimmed) };
  if (kinds.has('array') && kindsOf((schema as { items?: TSchema }).items).has('string'))
    return { ok: true, value: trimmed.split(',').flatMap((item) => (item.trim() === '' ? [] : [item.trim()])) };
  if (kinds.has('array') || kinds.has('object')) {
    try {
      return { ok: true, value: JSON.parse(trimmed) };
    } catch (error) {
      return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
    }
  }
  return { ok: true, value: trimmed };
}

function kindsOf(schema: TSchema | undefined): Set<string> {
  const node = schema as { type?: string | string[]; anyOf?: TSchema[]; const?: unknown } | undefined;
  if (!node) return new Set();
  if (node.anyOf) return new Set(node.anyOf.flatMap((branch) => [...kindsOf(branch)]));
  if (node.const !== undefined) return new Set([typeof node.const]);
  return new Set(Array.isArray(node.type) ? node.type : node.type ? [node.type] : []);
}

function schemaAt(schema: TSchema, path: string): TSchema | undefined {
  return path
    .split('.')
    .reduce<TSchema | undefined>(
      (node, key) => (node as { properties?: Record<string, TSchema> })?.properties?.[key],
      schema,
    );
}

/** The configured path that `path` (a JSON pointer's parts) lies in. */
function ownerOf(sources: ReadonlyMap<string, EnvSource>, path: readonly string[]): string | undefined {
  for (let length = path.length; length > 0; length--) {
    const candidate = path.slice(0, length).join('.');
    if (sources.has(candidate)) return candidate;
  }
  return undefined;
}

function valueAt(root: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
}

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = root;
  for (const key of keys) node = (node[key] ??= {}) as Record<string, unknown>;
  node[last] = value;
}

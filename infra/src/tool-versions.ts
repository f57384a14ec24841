// The versions of Java and Go the infrastructure needs, checked before they are
// used: an old Java fails in one line naming the fix instead of as a class-file
// error deep in kafka.log, an old Go instead of halfway through a build.
import { spawnSync } from 'node:child_process';
import { InfraError } from './errors.ts';
import { requireCommand } from './process.ts';

/** `[major, minor]` */
export type Version = readonly [number, number];

export interface Tool {
  /** What the user knows it as, e.g. `Java`. */
  readonly name: string;
  readonly command: string;
  /** Arguments that make it print its version (on stdout or stderr). */
  readonly versionArgs: readonly string[];
  readonly minimum: Version;
  /** The version in the command's output, or undefined when it cannot be read. */
  parse(output: string): Version | undefined;
  readonly fix: string;
}

/** `openjdk version "17.0.15" 2025-04-15`, `java version "1.8.0_292"`, `openjdk version "21" 2023-09-19`, `openjdk version "26-ea"` */
export function parseJavaVersion(output: string): Version | undefined {
  const match = /version "(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const [major, minor, patch] = [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  // Before Java 9 the major version was written 1.x: "1.8.0_292" is Java 8.
  return major === 1 ? [minor, patch] : [major, minor];
}

/** `go version go1.21.5 linux/amd64`, `go version go1.22rc1 linux/amd64`, `go version go1.21 …` */
export function parseGoVersion(output: string): Version | undefined {
  const match = /\bgo(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export const JAVA: Tool = {
  name: 'Java',
  command: 'java',
  versionArgs: ['-version'],
  minimum: [17, 0],
  parse: parseJavaVersion,
  fix: 'install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless) and put it first on PATH',
};

export const GO: Tool = {
  name: 'Go',
  command: 'go',
  versionArgs: ['version'],
  minimum: [1, 21],
  parse: parseGoVersion,
  fix: 'install Go 1.21 or newer (https://go.dev/doc/install or Debian: apt-get install golang) and put it first on PATH',
};

const atLeast = (version: Version, minimum: Version) =>
  version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
const show = ([major, minor]: Version) => (minor === 0 ? String(major) : `${major}.${minor}`);

/** Throws an InfraError naming the fix unless `output` (of the version command) shows a new enough version. */
export function checkVersion(tool: Tool, output: string): void {
  const version = tool.parse(output);
  const command = `${tool.command} ${tool.versionArgs.join(' ')}`;
  if (!version) {
    const said = output.trim().split('\n')[0] ?? '';
    throw new InfraError(`could not read the ${tool.name} version from \`${command}\` (it said "${said}")`, tool.fix);
  }
  if (!atLeast(version, tool.minimum)) {
    throw new InfraError(
      `${tool.name} ${show(version)} is too old (\`${command}\`; Eventline needs ${tool.name} ${show(tool.minimum)} or newer)`,
      tool.fix,
    );
  }
}

const checked = new Set<string>();

/** The tool is installed and new enough; checked once per process, since every broker start asks. */
export function requireTool(tool: Tool): void {
  if (checked.has(tool.command)) return;
  requireCommand(tool.command, tool.fix);
  const result = spawnSync(tool.command, tool.versionArgs, { encoding: 'utf8', timeout: 30_000 });
  checkVersion(tool, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  checked.add(tool.command);
}

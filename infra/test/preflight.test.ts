import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InfraError } from '../src/errors.ts';
import { assertPortFree, freePort } from '../src/ports.ts';
import { requireCommand } from '../src/process.ts';
import { checkVersion, GO, JAVA, parseGoVersion, parseJavaVersion, requireTool } from '../src/tool-versions.ts';

describe('preflight checks', () => {
  it('says in one line which port is taken and how to move it', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const failure = assertPortFree(port, 'ingest', 'EVENTLINE_INGEST_PORT');
      await expect(failure).rejects.toBeInstanceOf(InfraError);
      await expect(failure).rejects.toThrow(
        new RegExp(`^port ${port} for ingest is already in use — .*EVENTLINE_INGEST_PORT$`),
      );
    } finally {
      server.close();
    }
  });

  it('accepts a free port', async () => {
    await expect(assertPortFree(await freePort(), 'ingest', 'EVENTLINE_INGEST_PORT')).resolves.toBeUndefined();
  });

  it('names a missing tool and the fix instead of failing later', () => {
    expect(() => requireCommand('eventline-no-such-tool', 'install it')).toThrow(
      'eventline-no-such-tool is not installed — install it',
    );
    expect(() => requireCommand('node', 'install Node')).not.toThrow();
  });

  it.each([
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)', [17, 0]],
    ['Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "21" 2023-09-19', [21, 0]],
    ['openjdk version "11.0.22" 2024-01-16', [11, 0]],
    ['java version "1.8.0_292"', [8, 0]],
    ['openjdk version "26-ea" 2026-03-17', [26, 0]],
  ])('reads the Java version from %j', (output, version) => {
    expect(parseJavaVersion(output)).toEqual(version);
  });

  it.each([
    ['go version go1.21.5 linux/amd64', [1, 21]],
    ['go version go1.22rc1 linux/amd64', [1, 22]],
    ['go version go1.20 linux/arm64', [1, 20]],
    ['go version devel go1.24-abcdef Tue Jan 1 linux/amd64', [1, 24]],
  ])('reads the Go version from %j', (output, version) => {
    expect(parseGoVersion(output)).toEqual(version);
  });

  it('refuses Java older than 17 in one line naming the fix', () => {
    const check = () => checkVersion(JAVA, 'openjdk version "11.0.22" 2024-01-16');
    expect(check).toThrow(InfraError);
    expect(check).toThrow(
      /^Java 11 is too old \(`java -version`; Eventline needs Java 17 or newer\) — install Java 17 or newer .*apt-get install openjdk-17-jre-headless/,
    );
    expect(() => checkVersion(JAVA, 'java version "1.8.0_292"')).toThrow(/^Java 8 is too old/);
    expect(() => checkVersion(JAVA, 'openjdk version "17.0.1" 2021-10-19')).not.toThrow();
  });

  it('refuses Go older than 1.21 in one line naming the fix', () => {
    expect(() => checkVersion(GO, 'go version go1.20.14 linux/amd64')).toThrow(
      /^Go 1\.20 is too old \(`go version`; Eventline needs Go 1\.21 or newer\) — install Go 1\.21 or newer/,
    );
    expect(() => checkVersion(GO, 'go version go1.9 linux/amd64')).toThrow(/^Go 1\.9 is too old/);
    expect(() => checkVersion(GO, 'go version go1.21.0 linux/amd64')).not.toThrow();
    expect(() => checkVersion(GO, 'go version go2.0 linux/amd64')).not.toThrow();
  });

  it('says when a version cannot be read instead of guessing', () => {
    expect(() => checkVersion(JAVA, 'Error: could not find libjava.so')).toThrow(
      /^could not read the Java version from `java -version` \(it said "Error: could not find libjava.so"\) — install Java 17/,
    );
  });

  it('passes the Java and Go on this machine and names a missing one', () => {
    expect(() => requireTool(JAVA)).not.toThrow();
    expect(() => requireTool(GO)).not.toThrow();
    expect(() => requireTool({ ...JAVA, command: 'eventline-no-such-java' })).toThrow(
      /^eventline-no-such-java is not installed — install Java 17 or newer/,
    );
  });
});

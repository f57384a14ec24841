import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InfraError } from '../src/errors.ts';
import { assertPortFree, freePort } from '../src/ports.ts';
import { requireCommand } from '../src/process.ts';

describe('preflight checks', () => {
  it('says in one line which port is taken and how to move it', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const failure = assertPortFree(port, 'ingest', 'EVENTLINE_INGEST_PORT');
      await expect(failure).rejects.toBeInstanceOf(InfraError);
      await expect(failure).rejects.toThrow(new RegExp(`^port ${port} for ingest is already in use — .*EVENTLINE_INGEST_PORT$`));
    } finally {
      server.close();
    }
  });

  it('accepts a free port', async () => {
    await expect(assertPortFree(await freePort(), 'ingest', 'EVENTLINE_INGEST_PORT')).resolves.toBeUndefined();
  });

  it('names a missing tool and the fix instead of failing later', () => {
    expect(() => requireCommand('eventline-no-such-tool', 'install it')).toThrow('eventline-no-such-tool is not installed — install it');
    expect(() => requireCommand('node', 'install Node')).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { capturedLogger, takeCapturedLogs } from '../src/log-capture.ts';

describe('capturedLogger', () => {
  it('keeps lines in memory at its level, and hands them over once', () => {
    takeCapturedLogs();
    const logger = capturedLogger('warn');
    logger.info('not kept');
    logger.warn({ partition: 3 }, 'kept');
    const lines = takeCapturedLogs().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 40, partition: 3, msg: 'kept' })]);
    expect(takeCapturedLogs()).toEqual([]);
  });
});

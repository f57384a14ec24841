// Setup file of every project: after each test, the log lines its services
// wrote (capturedLogger) are printed if it failed and dropped if it passed.
import { afterEach } from 'vitest';
import { takeCapturedLogs } from './log-capture.ts';

afterEach((context) => {
  const lines = takeCapturedLogs();
  if (context.task.result?.state !== 'fail' || lines.length === 0) return;
  process.stdout.write(`--- service logs of "${context.task.name}" ---\n${lines.join('')}--- end of logs ---\n`);
});

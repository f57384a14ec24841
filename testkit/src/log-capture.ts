// Logs of services under test go to memory, not the terminal: a passing run
// prints test names and figures only, and a failing test prints the log lines
// written while it ran (see vitest-log-setup.ts).
import { pino, type Logger } from 'pino';

const captured: string[] = [];

/** A logger for a service under test; its lines are kept until the test ends. Default level: info */
export function capturedLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino({ level }, { write: (line: string) => void captured.push(line) });
}

/** The lines captured since the last call, which forgets them. */
export function takeCapturedLogs(): string[] {
  return captured.splice(0);
}

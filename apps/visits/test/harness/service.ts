import { constants } from 'node:os';

/**
 * One running instance of the service, however it was started: a child process on this machine
 * (service-process.ts) or a container (test/integration/support/replica.ts). The tiers and the
 * benchmark speak to it through this, and through the HTTP helpers (http.ts) on its url.
 */
export interface Service {
  /** Its pod name (POD_NAME; a container's hostname). */
  readonly name: string;
  /** Where the test reaches the visit routes (PORT): http://host:port, no trailing slash. */
  readonly url: string;
  /** Where the test reaches /health/*, /metrics and /version (OPS_PORT), no trailing slash. */
  readonly opsUrl: string;
  /** What it wrote to stdout and stderr so far. */
  logs(): Promise<string>;
  /** SIGTERM, then waits for the exit (a container gets SIGKILL after its grace period). */
  stop(): Promise<Exit>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<Exit>;
}

export interface Exit {
  /**
   * The exit code as the runtime reports it: null for a process ended by a signal (Node's way),
   * 128 + the signal's number for a container (Docker's).
   */
  readonly code: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
}

/** The signal behind a shell-style exit status (137 → SIGKILL); null for an ordinary exit. */
export function signalOfStatus(status: number): NodeJS.Signals | null {
  if (status <= 128) return null;
  const found = Object.entries(constants.signals).find(([, n]) => n === status - 128);
  return found === undefined ? null : (found[0] as NodeJS.Signals);
}

export type LogLine = Record<string, unknown> & { level?: string | number; msg?: string };

/** The JSON lines of a log (pino's); anything else, such as stderr text, is left out. */
export function logLines(logs: string): LogLine[] {
  return logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** pino's error and fatal lines, whether levels are written as numbers (50, 60) or labels. */
export function isErrorLine(line: LogLine): boolean {
  const level = line.level;
  return typeof level === 'number' ? level >= 50 : level === 'error' || level === 'fatal';
}

/** Logs for an assertion message: without per-request lines, the last `max` lines. */
export function logSummary(logs: string, max = 30): string {
  const lines = logs
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes('"msg":"request completed"'));
  return lines.slice(-max).join('\n');
}

/** A stack frame printed as text ("    at fn (file:line)") in a process's output. */
export const STACK_FRAME = /\n\s+at \S/;

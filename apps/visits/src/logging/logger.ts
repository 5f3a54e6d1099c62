import { createRequire } from 'node:module';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { TurnBuffer } from './turn-buffer.js';

/**
 * JSON lines on stdout, one object per event, with the pod name on every line. In a terminal, and
 * when pino-pretty is installed (it is a dev dependency), lines are pretty-printed instead.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'podName'>): Logger {
  const options = {
    level: config.logLevel,
    base: { pod: config.podName },
    timestamp: isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const pretty = process.stdout.isTTY ? loadPretty() : undefined;
  if (pretty !== undefined) {
    // A stream in this thread, not a pino transport: transports start worker threads from file
    // paths, which the bundled build (dist/visits.cjs) does not have.
    return pino(options, pretty({ translateTime: 'SYS:HH:MM:ss.l', sync: true }));
  }
  // One write(2) per event-loop turn instead of one per line: see TurnBuffer.
  return pino(options, new TurnBuffer(pino.destination({ dest: 1, sync: true })));
}

// pino's isoTime builds a Date and an ISO string for every line; under load dozens of lines share
// a millisecond (about 3% of the service's CPU, measured).
let lastMs = -1;
let lastTime = '';
export function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

type PrettyFactory = (options: Record<string, unknown>) => NodeJS.WritableStream;

/** pino-pretty, when installed (a dev dependency: not in the image). */
function loadPretty(): PrettyFactory | undefined {
  try {
    return createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
}

/** Nest's own log lines (bootstrap, route mapping, errors) through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  // Nest's own "log" lines (module init, route mapping) are startup detail: debug level.
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    // A failed bootstrap, or a port or host it cannot listen on, is reported once, by main.ts,
    // with a message meant for operators.
    if (context === 'ExceptionHandler' || context === 'NestApplication')
      this.logger.debug({ context, trace }, String(message));
    else this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}

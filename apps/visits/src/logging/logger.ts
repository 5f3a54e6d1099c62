import { createRequire } from 'node:module';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';

/**
 * JSON lines on stdout, one object per event, with the pod name on every line. In a terminal, and
 * when pino-pretty is installed (it is a dev dependency), lines are pretty-printed instead.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'podName'>): Logger {
  const options = {
    level: config.logLevel,
    base: { pod: config.podName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (process.stdout.isTTY && isInstalled('pino-pretty')) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  // Buffered: one write per 4 KiB of lines instead of one per request (a write per request cost
  // about a tenth of the service's CPU under load). pino flushes the buffer when the process exits;
  // a kill -9 can lose the last few lines, never a visit.
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
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
    // A failed bootstrap is reported once, by main.ts, with a message meant for operators.
    if (context === 'ExceptionHandler') this.logger.debug({ context, trace }, String(message));
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

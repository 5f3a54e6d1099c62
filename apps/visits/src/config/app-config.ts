import { hostname } from 'node:os';
import { z } from 'zod';
import { MAX_RECENT } from '../store/visit-store.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number from ${min} to ${max} (got "${value}")`,
        });
        return z.NEVER;
      }
      return n;
    })
    .describe(name);
}

function isTimeZone(value: string): boolean {
  // The default needs no check; making one would load ICU's time-zone data (about 7 MiB of RSS)
  // at startup for nothing.
  if (value === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  PORT: integer('PORT', 1, 65535, 3000),
  HOST: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '0.0.0.0' : v.trim())),
  DATA_DIR: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? './data' : v)),
  POD_NAME: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? hostname() : v.trim()))
    .refine((v) => v.length <= 253 && /^[\x21-\x7e]+$/.test(v), {
      message: 'must be 1 to 253 printable characters without spaces (a pod or host name)',
    }),
  TIMEZONE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'UTC' : v.trim()))
    .refine(isTimeZone, {
      message: 'must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    }),
  RECENT_VISITS: integer('RECENT_VISITS', 1, MAX_RECENT, 100),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'info' : v.trim().toLowerCase()))
    .refine(
      (v): v is (typeof LOG_LEVELS)[number] => (LOG_LEVELS as readonly string[]).includes(v),
      {
        message: `must be one of ${LOG_LEVELS.join(', ')}`,
      },
    ),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 1000, 600_000, 10_000),
});

/** The service's whole configuration, read once from the environment at startup. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly podName: string;
  readonly timeZone: string;
  readonly recentVisits: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every setting; throws one ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    podName: c.POD_NAME,
    timeZone: c.TIMEZONE,
    recentVisits: c.RECENT_VISITS,
    logLevel: c.LOG_LEVEL,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
  };
}

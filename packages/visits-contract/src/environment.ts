import { hostname } from 'node:os';
import { z } from 'zod';
import { MAX_RECENT } from './data-dir.js';
import { IMAGE_DATA_DIR } from './image.js';

/** The values `LOG_LEVEL` accepts, most severe first (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A raw environment value: unset, or a string that may be blank. */
type Raw = string | undefined;

/** One environment variable as written down once: how it is parsed and how the docs show it. */
export interface VariableSpec<T> {
  /** Parses the raw value; unset or blank means the default. Its messages are the ones users see. */
  readonly schema: z.ZodType<T, Raw>;
  /** The cells of the docs' configuration table, in Markdown. */
  readonly docs: { readonly default: string; readonly accepted: string };
}

/** A whole-number variable: the range the service accepts, and its default. */
export interface IntegerSpec extends VariableSpec<number> {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** A variable with a default every deployment can name (all but `POD_NAME`). */
export interface DefaultedSpec<T> extends VariableSpec<T> {
  readonly default: T;
}

const code = (value: string | number) => `\`${String(value)}\``;
/** Set to something other than blanks; unset or blank means the default. */
const isSet = (value: Raw): value is string => value !== undefined && value.trim() !== '';

function integer(spec: { min: number; max: number; default: number; note?: string }): IntegerSpec {
  const { min, max, note } = spec;
  const schema = z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!isSet(value)) return spec.default;
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number from ${min} to ${max} (got "${value}")`,
        });
        return z.NEVER;
      }
      return n;
    });
  const accepted = `integer ${min}–${max}${note === undefined ? '' : `: ${note}`}`;
  return {
    min,
    max,
    default: spec.default,
    schema,
    docs: { default: code(spec.default), accepted },
  };
}

/**
 * A text variable: blank means the default; `trim` strips surrounding spaces; `check` is what a
 * value must pass, with the message users see when it does not.
 */
function text(spec: {
  default: string;
  trim: boolean;
  accepted: string;
  docsDefault?: string;
  check?: { test: (value: string) => boolean; message: string };
}): DefaultedSpec<string> {
  const { check } = spec;
  const read = z
    .string()
    .optional()
    .transform((v) => (isSet(v) ? (spec.trim ? v.trim() : v) : spec.default));
  return {
    default: spec.default,
    schema: check ? read.refine(check.test, { message: check.message }) : read,
    docs: { default: spec.docsDefault ?? code(spec.default), accepted: spec.accepted },
  };
}

/** Whether `Intl` knows `value` as a time zone. */
export function isTimeZone(value: string): boolean {
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

/** A Kubernetes pod name or a host name: what `POD_NAME` accepts. */
export function isPodName(value: string): boolean {
  return value.length <= 253 && /^[\x21-\x7e]+$/.test(value);
}

/**
 * What `CORS_ORIGINS` holds once parsed: the origins a browser page may call the API from,
 * serialized as browsers send them in `Origin` (lowercase, no default port); `'*'` for any origin;
 * empty when CORS is off.
 */
export type CorsOrigins = '*' | readonly string[];

/**
 * One origin as a browser sends it in `Origin`: `http` or `https`, a host, an optional port, and
 * nothing after it (not even a slash). Returns its serialized form, or undefined when `value` is
 * not an origin.
 */
export function parseOrigin(value: string): string | undefined {
  if (!/^https?:\/\/[^/?#@\s\\]+$/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

const CORS_ORIGINS_ACCEPTED =
  'must be * or a comma-separated list of origins, each scheme://host[:port] with scheme http or https and ' +
  'nothing after the host or port (no path, not even a trailing slash), such as https://example.com or ' +
  'http://localhost:8080';

/** `CORS_ORIGINS`: `*`, or origins separated by commas; blank means CORS is off. */
function corsOrigins(): DefaultedSpec<CorsOrigins> {
  const none: CorsOrigins = [];
  return {
    default: none,
    schema: z
      .string()
      .optional()
      .transform((value, ctx): CorsOrigins => {
        if (!isSet(value)) return none;
        const items = value.split(',').map((item) => item.trim());
        if (items.length === 1 && items[0] === '*') return '*';
        if (items.includes('*')) {
          ctx.addIssue({
            code: 'custom',
            message: `${CORS_ORIGINS_ACCEPTED}; * allows every origin and cannot be combined with others (got "${value}")`,
          });
          return z.NEVER;
        }
        const parsed = items.map((item) => [item, parseOrigin(item)] as const);
        const bad = parsed.filter(([, origin]) => origin === undefined).map(([item]) => item);
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `${CORS_ORIGINS_ACCEPTED} (got "${value}": not an origin: ${bad.map((b) => JSON.stringify(b)).join(', ')})`,
          });
          return z.NEVER;
        }
        return [...new Set(parsed.map(([, origin]) => origin!))];
      }),
    docs: {
      default: 'none: CORS off',
      accepted: `${code('*')}, or origins separated by commas (${code('https://example.com')})`,
    },
  };
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** `LOG_LEVEL`: case does not matter. */
function logLevel(fallback: LogLevel): DefaultedSpec<LogLevel> {
  return {
    default: fallback,
    schema: z
      .string()
      .optional()
      .transform((v) => (isSet(v) ? v.trim().toLowerCase() : fallback))
      .refine(isLogLevel, { message: `must be one of ${LOG_LEVELS.join(', ')}` }),
    docs: { default: code(fallback), accepted: LOG_LEVELS.join(', ') },
  };
}

const specs = {
  PORT: integer({ min: 1, max: 65535, default: 3000 }),
  HOST: text({ default: '0.0.0.0', trim: true, accepted: 'an address to listen on' }),
  DATA_DIR: text({
    default: './data',
    trim: false,
    accepted: 'a directory path; created when missing',
    docsDefault: `${code('./data')} (${code(IMAGE_DATA_DIR)} in the image)`,
  }),
  POD_NAME: {
    schema: z
      .string()
      .optional()
      .transform((v) => (isSet(v) ? v.trim() : hostname()))
      .refine(isPodName, {
        message: 'must be 1 to 253 printable characters without spaces (a pod or host name)',
      }),
    docs: { default: 'the hostname', accepted: '1–253 printable characters without spaces' },
  },
  TIMEZONE: text({
    default: 'UTC',
    trim: true,
    accepted: `an IANA time zone name (${code('Europe/Berlin')})`,
    check: {
      test: isTimeZone,
      message: 'must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    },
  }),
  RECENT_VISITS: integer({
    min: 1,
    max: MAX_RECENT,
    default: 100,
    note: 'recent timestamps kept',
  }),
  LOG_LEVEL: logLevel('info'),
  SHUTDOWN_TIMEOUT_MS: integer({
    min: 1000,
    max: 600_000,
    default: 10_000,
    note: 'the longest a graceful shutdown may take',
  }),
  CORS_ORIGINS: corsOrigins(),
} satisfies Record<string, VariableSpec<unknown>>;

type Specs = typeof specs;
/** A variable of the service's environment: its spec and its name. */
export type EnvironmentVariable<K extends keyof Specs = keyof Specs> = Specs[K] & {
  readonly name: K;
};

/**
 * Every environment variable the service reads, by name, in the order the docs list them.
 * The one definition of each variable's name, range, default and messages.
 */
export const environment = Object.fromEntries(
  Object.entries(specs).map(([name, spec]) => [name, { ...spec, name }]),
) as { readonly [K in keyof Specs]: EnvironmentVariable<K> };

/** The whole environment as one zod schema: unknown variables are ignored. */
export const environmentSchema = z.object(
  Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.schema])) as {
    [K in keyof Specs]: Specs[K]['schema'];
  },
);

/** The environment with every default applied and every value checked. */
export type Environment = z.output<typeof environmentSchema>;

export type EnvironmentResult =
  | { readonly ok: true; readonly value: Environment }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads and checks every variable. On failure, one problem per bad variable, each
 * `NAME must be …`: the variable's name, then what it accepts.
 */
export function parseEnvironment(env: Readonly<Record<string, Raw>>): EnvironmentResult {
  const parsed = environmentSchema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
  };
}

// Over 350 lines on purpose: this is the one definition of every environment variable (its schema,
// default, docs line and the message a user sees), read top to bottom as the configuration table.
// The parsing helpers above the table are shared by every variable.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import { MAX_RECENT } from './data-dir.js';
import { isDnsName, parsePeerList, type PeerAddress } from './fleet.js';
import { IMAGE_DATA_DIR } from './image.js';

/** The values `LOG_LEVEL` accepts, most severe first (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The values `ACCESS_LOG` accepts: every request, or only server errors and slow requests. */
export const ACCESS_LOG_MODES = ['all', 'errors'] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/** A raw environment value: unset, or a string that may be blank. */
type Raw = string | undefined;

/** One environment variable as written down once: how it is parsed and how the docs show it. */
export interface VariableSpec<T> {
  /**
   * Parses the raw value: unset means the default, empty is refused. Its messages are the ones
   * users see, each echoing the refused value.
   */
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

/** The longest part of a refused value a message echoes. */
export const ECHO_MAX_LENGTH = 64;

/**
 * `value` as a message shows it: in double quotes, control characters escaped (`\n`, `\u001b`),
 * cut to ECHO_MAX_LENGTH characters with `…` — a refused value is echoed, but never lets a
 * variable write arbitrary text into the log line that refuses it.
 */
export function quoteValue(value: string): string {
  const chars = [...value];
  const shown = chars.length > ECHO_MAX_LENGTH ? chars.slice(0, ECHO_MAX_LENGTH) : chars;
  const body = JSON.stringify(shown.join('')).slice(1, -1);
  // JSON.stringify leaves DEL, the C1 controls and the Unicode line separators alone.
  const escaped = body.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}${chars.length > ECHO_MAX_LENGTH ? '…' : ''}"`;
}

/** A value `parse` refuses, and the message (after the variable's name) saying why. */
interface Refusal {
  readonly refused: string;
}
const refuse = (message: string): Refusal => ({ refused: message });
const isRefusal = (v: unknown): v is Refusal =>
  typeof v === 'object' && v !== null && 'refused' in v;

/**
 * A variable's schema. Unset means the default. Set but empty (or blanks only) is refused: in a
 * Kubernetes manifest `value: ""` is more likely a mistake than a wish for the default, and
 * the two must not silently mean the same. Anything else goes through `parse`.
 */
function schemaOf<T>(
  fallback: () => T,
  defaultText: string,
  parse: (value: string) => T | Refusal,
): z.ZodType<T, Raw> {
  return z
    .string()
    .optional()
    .transform((value, ctx): T => {
      if (value === undefined) return fallback();
      const parsed =
        value.trim() === ''
          ? refuse(
              `is set but ${value === '' ? 'empty' : `holds only blanks (${quoteValue(value)})`}: ` +
                `unset it to use the default (${defaultText}), or give it a value`,
            )
          : parse(value);
      if (isRefusal(parsed)) {
        ctx.addIssue({ code: 'custom', message: parsed.refused });
        return z.NEVER;
      }
      return parsed;
    });
}

function integer(spec: { min: number; max: number; default: number; note?: string }): IntegerSpec {
  const { min, max, note } = spec;
  const schema = schemaOf(
    () => spec.default,
    String(spec.default),
    (value) => {
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max
        ? n
        : refuse(`must be a whole number from ${min} to ${max} (got ${quoteValue(value)})`);
    },
  );
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
 * A text variable: `trim` strips surrounding spaces; `check` is what a value must pass, with the
 * message users see when it does not (the value given is appended to it); `canonical` turns an
 * accepted value into the one the service uses.
 */
function text(spec: {
  default: string;
  trim: boolean;
  accepted: string;
  docsDefault?: string;
  check?: { test: (value: string) => boolean; message: string };
  canonical?: (value: string) => string;
}): DefaultedSpec<string> {
  const { check, canonical } = spec;
  const schema = schemaOf(
    () => spec.default,
    spec.default,
    (raw) => {
      const value = spec.trim ? raw.trim() : raw;
      if (check !== undefined && !check.test(value)) {
        return refuse(`${check.message} (got ${quoteValue(raw)})`);
      }
      return canonical === undefined ? value : canonical(value);
    },
  );
  return {
    default: spec.default,
    schema,
    docs: { default: spec.docsDefault ?? code(spec.default), accepted: spec.accepted },
  };
}

/** Names already looked up: checking and then spelling a name builds one formatter, not two. */
const zones = new Map<string, string | undefined>();

/**
 * The time zone `value` names, spelled as the IANA database spells it (`europe/berlin` →
 * `Europe/Berlin`), or undefined when `Intl` does not know it. Names are matched without regard
 * to case, as ECMA-402 does; links such as `Asia/Calcutta` are kept. (`Intl.supportedValuesOf`
 * would miss both `UTC` and every link.)
 */
export function canonicalTimeZone(value: string): string | undefined {
  // The default needs no check; making one would load ICU's time-zone data (about 7 MiB of RSS)
  // at startup for nothing.
  if (value === 'UTC') return value;
  if (!zones.has(value)) {
    let zone: string | undefined;
    try {
      zone = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      zone = undefined;
    }
    zones.set(value, zone);
  }
  return zones.get(value);
}

/** Whether `Intl` knows `value` as a time zone, in any case. */
function isTimeZone(value: string): boolean {
  return canonicalTimeZone(value) !== undefined;
}

/** A Kubernetes pod name or a host name: what `POD_NAME` accepts. */
export function isPodName(value: string): boolean {
  return value.length <= 253 && /^[\x21-\x7e]+$/.test(value);
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\.?$/i;

/** An IPv4 or IPv6 address, or a host name (RFC 1123): what `HOST` accepts. */
function isHost(value: string): boolean {
  return isIP(value) !== 0 || HOST_NAME.test(value);
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
function parseOrigin(value: string): string | undefined {
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

/** `CORS_ORIGINS`: `*`, or origins separated by commas; unset means CORS is off. */
function corsOrigins(): DefaultedSpec<CorsOrigins> {
  const none: CorsOrigins = [];
  return {
    default: none,
    schema: schemaOf<CorsOrigins>(
      () => none,
      'none: CORS off',
      (raw) => {
        const items = raw.split(',').map((item) => item.trim());
        if (items.length === 1 && items[0] === '*') return '*';
        if (items.includes('*')) {
          return refuse(
            `${CORS_ORIGINS_ACCEPTED}; * allows every origin and cannot be combined with others (got ${quoteValue(raw)})`,
          );
        }
        const bad = items.filter((item) => parseOrigin(item) === undefined);
        if (bad.length > 0) {
          return refuse(
            `${CORS_ORIGINS_ACCEPTED}; not an origin: ${bad.map(quoteValue).join(', ')} (got ${quoteValue(raw)})`,
          );
        }
        return [...new Set(items.map((item) => parseOrigin(item)!))];
      },
    ),
    docs: {
      default: 'none: CORS off',
      accepted: `${code('*')}, or origins separated by commas (${code('https://example.com')})`,
    },
  };
}

/** A variable that takes one of a few words, in any case. */
function oneOf<T extends string>(
  values: readonly T[],
  fallback: T,
  accepted: string,
): DefaultedSpec<T> {
  const isValue = (value: string): value is T => (values as readonly string[]).includes(value);
  return {
    default: fallback,
    schema: schemaOf(
      () => fallback,
      fallback,
      (raw) => {
        const value = raw.trim().toLowerCase();
        return isValue(value)
          ? value
          : refuse(`must be one of ${values.join(', ')} (got ${quoteValue(raw)})`);
      },
    ),
    docs: { default: code(fallback), accepted },
  };
}

const specs = {
  PORT: integer({ min: 1, max: 65535, default: 3000, note: 'the visit routes' }),
  OPS_PORT: integer({
    min: 1,
    max: 65535,
    default: 8081,
    note: `${code('/metrics')}, ${code('/health/*')}, ${code('/version')} and ${code('/openapi.json')}; must differ from ${code('PORT')}`,
  }),
  HOST: text({
    default: '0.0.0.0',
    trim: true,
    accepted: 'an IP address or host name of this machine',
    check: {
      test: isHost,
      message:
        'must be an IP address or host name of this machine, such as 0.0.0.0 (every IPv4 interface), :: (every interface) or 127.0.0.1',
    },
  }),
  DATA_DIR: text({
    default: './data',
    trim: false,
    accepted: 'a directory path; created when missing',
    docsDefault: `${code('./data')} (${code(IMAGE_DATA_DIR)} in the image)`,
    check: {
      test: (value) => !value.includes('\0'),
      message: 'must be a directory path without NUL characters',
    },
  }),
  POD_NAME: {
    schema: schemaOf(hostname, 'the hostname', (raw) => {
      const value = raw.trim();
      return isPodName(value)
        ? value
        : refuse(
            `must be a pod or host name: 1 to 253 printable characters without spaces (got ${quoteValue(raw)})`,
          );
    }),
    docs: { default: 'the hostname', accepted: '1–253 printable characters without spaces' },
  },
  TIMEZONE: text({
    default: 'UTC',
    trim: true,
    accepted: `an IANA time zone name, any case (${code('Europe/Berlin')})`,
    check: {
      test: isTimeZone,
      message: 'must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    },
    canonical: (value) => canonicalTimeZone(value) ?? value,
  }),
  RECENT_VISITS: integer({
    min: 1,
    max: MAX_RECENT,
    default: 100,
    note: 'recent timestamps kept',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info', LOG_LEVELS.join(', ')),
  ACCESS_LOG: oneOf(
    ACCESS_LOG_MODES,
    'all',
    `${code('all')} (every request) or ${code('errors')} (answers ≥ 500 and requests slower ` +
      `than ${code('SLOW_REQUEST_MS')})`,
  ),
  SLOW_REQUEST_MS: integer({
    min: 1,
    max: 600_000,
    default: 500,
    note: `a request slower than this is logged whatever ${code('ACCESS_LOG')} says`,
  }),
  SHUTDOWN_TIMEOUT_MS: integer({
    min: 1000,
    max: 600_000,
    default: 10_000,
    note: 'the longest a graceful shutdown may take',
  }),
  FLEET_DNS: {
    schema: schemaOf<string | undefined>(
      () => undefined,
      'unset: no fleet view',
      (raw) => {
        const value = raw.trim().toLowerCase();
        return isDnsName(value)
          ? value
          : refuse(
              "must be a DNS name such as visits-headless.visits.svc.cluster.local (the headless Service's name)" +
                ` (got ${quoteValue(raw)})`,
            );
      },
    ),
    docs: {
      default: 'unset',
      accepted: "the headless Service's DNS name; `GET /fleet` asks each address on `PORT`",
    },
  },
  FLEET_PEERS: {
    schema: schemaOf<readonly PeerAddress[] | undefined>(
      () => undefined,
      'unset: no fleet view',
      (raw) => {
        const parsed = parsePeerList(raw);
        return parsed.ok ? parsed.peers : refuse(`${parsed.problem} (got ${quoteValue(raw)})`);
      },
    ),
    docs: {
      default: 'unset',
      accepted: 'comma-separated `host:port` peers (Compose, local runs); not with `FLEET_DNS`',
    },
  },
  FLEET_TIMEOUT_MS: integer({
    min: 50,
    max: 10_000,
    default: 500,
    note: "`GET /fleet`'s wait per peer; its answer within twice this",
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

/**
 * The whole environment as one zod schema: unknown variables are ignored. Besides each variable's
 * own checks, the two ports must differ: the ops routes are never served on the service port.
 */
const environmentSchema = z
  .object(
    Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.schema])) as {
      [K in keyof Specs]: Specs[K]['schema'];
    },
  )
  .superRefine((value, ctx) => {
    if (value.OPS_PORT === value.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPS_PORT'],
        message: `must differ from PORT (both are ${value.PORT}): /metrics and /health/* get a port of their own, which the client Service does not expose`,
      });
    }
  });

/** The environment with every default applied and every value checked. */
export type Environment = z.output<typeof environmentSchema>;

export type EnvironmentResult =
  | { readonly ok: true; readonly value: Environment }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads and checks every variable. On failure, one problem per bad variable, each
 * `NAME must be … (got "…")` or `NAME is set but empty: …`: the variable's name, what it accepts
 * and the value given.
 */
export function parseEnvironment(env: Readonly<Record<string, Raw>>): EnvironmentResult {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  // Two ways to find the same peers: which one was meant cannot be guessed.
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  if (given('FLEET_DNS') && given('FLEET_PEERS')) {
    problems.push(
      'FLEET_DNS and FLEET_PEERS must not both be set: use FLEET_DNS in Kubernetes (the headless ' +
        'Service) or FLEET_PEERS elsewhere (Docker Compose, local runs), and unset the other',
    );
  }
  if (parsed.success && problems.length === 0) return { ok: true, value: parsed.data };
  return { ok: false, problems };
}

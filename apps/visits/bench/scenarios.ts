// What the benchmark measures, as data: the servers, the cases run against them, and the targets.
// measure.ts runs them, report.ts renders the figures; nothing here starts a process.
import { join } from 'node:path';
import { APP_DIR } from '../test/harness/paths.ts';
import { MAIN } from '../test/harness/service-process.ts';

export const smoke = process.argv.includes('--smoke') || process.env['BENCH_SMOKE'] === '1';

export const settings = {
  connections: 64,
  threads: 1,
  warmupSeconds: smoke ? 1 : 3,
  durationSeconds: smoke ? 1 : Number(process.env['BENCH_DURATION'] ?? 10),
  exactRequests: smoke ? 2_000 : 20_000,
  coldStartRuns: smoke ? 1 : 5,
  bigStoreCount: 10_000_000,
};

/** V8 flags the service runs with in production (Dockerfile, npm start); see docs/benchmarks.md. */
export const serviceFlags = (
  process.env['VISITS_NODE_FLAGS'] ?? '--max-semi-space-size=8 --heap-growing-percent=50'
)
  .split(' ')
  .filter(Boolean);

/** glibc malloc settings the service runs with in production (Dockerfile ENV, npm start). */
export const mallocEnv = {
  MALLOC_ARENA_MAX: process.env['MALLOC_ARENA_MAX'] ?? '1',
  MALLOC_MMAP_THRESHOLD_: process.env['MALLOC_MMAP_THRESHOLD_'] ?? '32768',
};

export type ServerId =
  'service' | 'serviceErrorsLog' | 'limit' | 'ceiling' | 'careful' | 'bare' | 'naive';

export interface Server {
  readonly script: string;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** What it is, for the exactness lines. */
  readonly label: string;
  /** Serves /health/ready on an ops port of its own (OPS_PORT), as the service does. */
  readonly opsPort: boolean;
}

const peer = (file: string, label: string): Server => ({
  script: join(APP_DIR, 'bench', 'peers', file),
  nodeArgs: [],
  env: {},
  label,
  opsPort: false,
});

/** The service as in the image and npm start (see docs/benchmarks.md), with an access log setting. */
const service = (accessLog: 'all' | 'errors'): Server => ({
  script: MAIN,
  nodeArgs: serviceFlags,
  env: { NODE_ENV: 'production', ...mallocEnv, ACCESS_LOG: accessLog },
  label: `service (ACCESS_LOG=${accessLog})`,
  opsPort: true,
});

/**
 * Every server answers GET /health/ready (the service on its ops port, the peers on their one
 * port), GET /visits?limit=0 ({ count }) and POST /visits.
 */
export const servers: Record<ServerId, Server> = {
  // Every request logged, the default.
  service: service('all'),
  // The production overlay's setting: only answers ≥ 500 and slow requests logged.
  serviceErrorsLog: service('errors'),
  limit: peer('group-commit.mjs', 'limit (bare node:http + group commit)'),
  // Not durable, so not a peer: NestJS and Fastify with a no-op route, run as the service runs.
  ceiling: {
    ...peer('nest-ceiling.mjs', 'framework ceiling (NestJS + Fastify, no-op route)'),
    nodeArgs: serviceFlags,
    env: { NODE_ENV: 'production', ...mallocEnv },
  },
  careful: peer('careful.mjs', 'careful peer (lock, write, fdatasync)'),
  bare: peer('bare-http.mjs', 'bare node:http'),
  naive: peer('naive-counter.mjs', 'naive counter'),
};

export interface Scenario {
  /** How targets and the report refer to it. */
  readonly id: string;
  readonly title: string;
  readonly server: ServerId;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Run on a store that has already counted this many visits. */
  readonly storeAt?: number;
  /** Also measured with nothing pinned (only when the main run pins). */
  readonly unpinned?: boolean;
  /**
   * The same request on another configuration of the service: the report sets this case beside
   * the one named here (the access log comparison).
   */
  readonly besides?: string;
}

/**
 * The cases, in order. Consecutive cases on the same server and store share one process (its peak
 * RSS is the high-water mark so far).
 */
export const scenarios: readonly Scenario[] = [
  {
    id: 'post',
    title: 'POST /visits (durable, ack after fdatasync)',
    server: 'service',
    method: 'POST',
    path: '/visits',
    unpinned: true,
  },
  {
    id: 'get',
    title: 'GET /visits?limit=0 (no write)',
    server: 'service',
    method: 'GET',
    path: '/visits?limit=0',
    unpinned: true,
  },
  {
    id: 'getRecent',
    title: 'GET /visits (with 100 recent timestamps)',
    server: 'service',
    method: 'GET',
    path: '/visits',
  },
  {
    id: 'postBig',
    title: `POST /visits, store at ${settings.bigStoreCount.toLocaleString('en')} visits`,
    server: 'service',
    method: 'POST',
    path: '/visits',
    storeAt: settings.bigStoreCount,
  },
  {
    id: 'postErrorsLog',
    title: 'POST /visits, ACCESS_LOG=errors (production)',
    server: 'serviceErrorsLog',
    method: 'POST',
    path: '/visits',
    besides: 'post',
  },
  {
    id: 'getErrorsLog',
    title: 'GET /visits?limit=0, ACCESS_LOG=errors (production)',
    server: 'serviceErrorsLog',
    method: 'GET',
    path: '/visits?limit=0',
    besides: 'get',
  },
  {
    id: 'limit',
    title: 'the limit: bare node:http + the same group commit, POST',
    server: 'limit',
    method: 'POST',
    path: '/visits',
    unpinned: true,
  },
  {
    id: 'ceiling',
    title: 'the framework ceiling: NestJS + Fastify, a no-op POST route (not durable)',
    server: 'ceiling',
    method: 'POST',
    path: '/visits',
    unpinned: true,
  },
  {
    id: 'careful',
    title: 'the careful peer: one visit at a time (lock, write, fdatasync), POST',
    server: 'careful',
    method: 'POST',
    path: '/visits',
    unpinned: true,
  },
  {
    id: 'bare',
    title: 'picture: bare node:http, constant answer',
    server: 'bare',
    method: 'GET',
    path: '/',
  },
  {
    id: 'naive',
    title: 'picture: naive read-modify-write counter, POST',
    server: 'naive',
    method: 'POST',
    path: '/visits',
  },
];

/**
 * Where the gap between the service and the limit lies: POST rates of one configuration divided,
 * shown beside the targets (not targets themselves). The framework ceiling sits between the two.
 */
export const ratios: readonly {
  readonly name: string;
  readonly of: string;
  readonly to: string;
}[] = [
  { name: 'service ÷ the limit', of: 'post', to: 'limit' },
  {
    name: 'framework ceiling ÷ the limit (what NestJS and Fastify allow)',
    of: 'ceiling',
    to: 'limit',
  },
  {
    name: 'service ÷ framework ceiling (what the store, hooks, log and metrics cost)',
    of: 'post',
    to: 'ceiling',
  },
];

/** Servers whose count is checked after exactly `exactRequests` POSTs. */
export const exactnessChecks: readonly ServerId[] = ['service', 'limit', 'careful', 'naive'];

/** What one case measured. */
export interface Measured {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** CPU the server process (all its threads) and wrk used during the measured run, in % of one core. */
  serverCpu: number;
  wrkCpu: number;
  peakRssMiB: number;
}

export interface Exactness {
  readonly sent: number;
  readonly acknowledged: number;
  readonly distinct: number;
  readonly final: number;
}

export interface ColdStarts {
  readonly medianMs: number;
  readonly times: number[];
  readonly idleRssMiB: number;
  readonly idleRss: number[];
}

export interface Results {
  readonly pinned: boolean;
  readonly cases: Readonly<Record<string, Measured>>;
  /** The cases marked `unpinned`, measured again with nothing pinned. */
  readonly unpinnedCases: Readonly<Record<string, Measured>> | undefined;
  readonly exact: Readonly<Partial<Record<ServerId, Exactness>>>;
  readonly cold: ColdStarts;
  readonly coldBig: ColdStarts;
}

export interface Target {
  readonly name: string;
  readonly op: '≥' | '≤' | '=';
  readonly bound: number;
  readonly value: number;
  readonly met: boolean;
}

type Cases = Readonly<Record<string, Measured>>;
const rps = (cases: Cases, id: string) => cases[id]?.requestsPerSecond ?? Number.NaN;
const ratio = (cases: Cases, a: string, b: string) => rps(cases, a) / rps(cases, b);

interface TargetSpec<T> {
  readonly name: string;
  readonly op: Target['op'];
  readonly bound: number;
  readonly value: (of: T) => number;
}

/** Checked in each configuration: on one core, and with nothing pinned. */
const perConfiguration: readonly TargetSpec<Cases>[] = [
  {
    name: 'POST ≥ 0.85 × the limit',
    op: '≥',
    bound: 0.85,
    value: (c) => ratio(c, 'post', 'limit'),
  },
  {
    name: 'POST ≥ 5 × the careful peer',
    op: '≥',
    bound: 5,
    value: (c) => ratio(c, 'post', 'careful'),
  },
  {
    name: `p99 of POST ≤ 10 ms at ${settings.connections} connections`,
    op: '≤',
    bound: 10,
    value: (c) => c['post']?.p99Ms ?? Number.NaN,
  },
  {
    name: 'POST ≥ 0.8 × GET /visits?limit=0',
    op: '≥',
    bound: 0.8,
    value: (c) => ratio(c, 'post', 'get'),
  },
];

const serviceCases = scenarios.filter((s) => servers[s.server].script === MAIN).map((s) => s.id);

/** Checked once per run. */
const perRun: readonly TargetSpec<Results>[] = [
  {
    name: 'final count = acknowledged visits, each count once',
    op: '=',
    bound: 1,
    value: ({ exact: { service: e } }) =>
      e === undefined
        ? Number.NaN
        : e.final === e.acknowledged && e.distinct === e.acknowledged
          ? 1
          : 0,
  },
  {
    name: 'peak RSS under load ≤ 150 MiB',
    op: '≤',
    bound: 150,
    value: (r) => Math.max(...serviceCases.map((id) => r.cases[id]?.peakRssMiB ?? Number.NaN)),
  },
  { name: 'idle RSS after start ≤ 80 MiB', op: '≤', bound: 80, value: (r) => r.cold.idleRssMiB },
  { name: 'cold start ≤ 1 s', op: '≤', bound: 1000, value: (r) => r.cold.medianMs },
  {
    name: 'cold start at 10M visits ≤ 1 s',
    op: '≤',
    bound: 1000,
    value: (r) => r.coldBig.medianMs,
  },
  {
    name: 'POST at 10M visits ≥ 0.9 × POST',
    op: '≥',
    bound: 0.9,
    value: (r) => ratio(r.cases, 'postBig', 'post'),
  },
];

function check<T>(spec: TargetSpec<T>, of: T, suffix = ''): Target {
  const value = spec.value(of);
  const met =
    spec.op === '≥'
      ? value >= spec.bound
      : spec.op === '≤'
        ? value <= spec.bound
        : value === spec.bound;
  return { name: `${spec.name}${suffix}`, op: spec.op, bound: spec.bound, value, met };
}

/** Every target, in order, with what this run measured. */
export function targets(r: Results): Target[] {
  const where = r.pinned ? ' (server on one core)' : '';
  return [
    ...perConfiguration.flatMap((spec) => [
      check(spec, r.cases, where),
      ...(r.unpinnedCases ? [check(spec, r.unpinnedCases, ' (nothing pinned)')] : []),
    ]),
    ...perRun.map((spec) => check(spec, r)),
  ];
}

export interface Ratio {
  readonly name: string;
  readonly value: number;
}

/** The `ratios` in each configuration measured: on one core, and with nothing pinned. */
export function gapRatios(r: Results): Ratio[] {
  const inCases = (cases: Cases, suffix: string) =>
    ratios.map((x) => ({ name: `${x.name}${suffix}`, value: ratio(cases, x.of, x.to) }));
  return [
    ...inCases(r.cases, r.pinned ? ' (server on one core)' : ''),
    ...(r.unpinnedCases ? inCases(r.unpinnedCases, ' (nothing pinned)') : []),
  ];
}

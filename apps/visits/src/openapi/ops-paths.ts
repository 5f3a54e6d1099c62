import {
  environment,
  HEALTH_PATHS,
  METRIC_NAMES,
  METRICS_PATH,
  OPENAPI_PATH,
  OPS_PATHS,
  VERSION_PATH,
} from '@stateful-visits/visits-contract';
import type { Doc, Json } from './document-json.js';
import { healthExample } from './health-report.js';

/**
 * The ops port's routes (src/ops/ops-server.ts), this description's included, described by hand: they are a plain node:http
 * server, not Nest controllers. Each path item names its port twice: `servers` (OpenAPI 3.1's
 * per-path servers, for tools) and `x-port: ops` (what the e2e tests' judge reads; a path of one
 * port is a 404 on the other).
 */
const OPS_SERVERS = [
  {
    url: 'http://{host}:{port}',
    description:
      "A pod's ops port (OPS_PORT): probes, metrics, the version and this description; not exposed by the client Service.",
    variables: {
      host: { default: 'localhost', description: 'The pod name or address.' },
      port: {
        default: String(environment.OPS_PORT.default),
        description: 'The service setting OPS_PORT.',
      },
    },
  },
];

const NO_STORE = {
  'Cache-Control': {
    required: true,
    description: 'Never stored: every ops answer is current.',
    schema: { type: 'string', const: 'no-store' },
  },
};

const report = { $ref: '#/components/schemas/HealthReport' };

/** Readiness when it is up, for the examples. */
const READY_CHECKS = {
  lifecycle: { status: 'up' },
  store: { status: 'up' },
  volume: { status: 'up', freeBytes: 1073741824, requiredBytes: 4194304 },
};

function probe(
  operationId: string,
  summary: string,
  description: string,
  up: object,
  down: object | undefined,
  edge: Record<string, Json>,
): Json {
  return {
    operationId,
    summary,
    description,
    tags: ['health'],
    responses: {
      '200': {
        description: 'Every check passes.',
        headers: NO_STORE,
        content: { 'application/json': { schema: report, example: up } },
      },
      ...(down === undefined
        ? {}
        : {
            '503': {
              description: 'A check fails: `error` names it and says why.',
              headers: NO_STORE,
              content: { 'application/json': { schema: report, example: down } },
            },
          }),
      ...edge,
    },
  };
}

/**
 * Adds the ops port's path items to `document`. `edge` holds the answers any request can get
 * before a route runs (400, 408, 431, 500), shared with the service port.
 */
export function describeOpsPaths(document: Doc, edge: Record<string, Json>): void {
  const items: Record<string, Json> = {
    [HEALTH_PATHS.live]: probe(
      'live',
      'Liveness: the process answers',
      'The event loop runs. Restarting would not fix anything else, so there are no checks: never 503.',
      healthExample({}),
      undefined,
      edge,
    ),
    [HEALTH_PATHS.ready]: probe(
      'ready',
      'Readiness: send visits here',
      'No shutdown has begun, the store is open and its last write succeeded, and its volume answers with room for the next journal.',
      healthExample(READY_CHECKS),
      healthExample(
        { store: READY_CHECKS.store, volume: READY_CHECKS.volume },
        { lifecycle: { status: 'down', reason: 'shutting down' } },
      ),
      edge,
    ),
    [HEALTH_PATHS.startup]: probe(
      'startup',
      'Startup: the store has finished opening and recovery',
      'The store has opened its data directory and recovered its journal.',
      healthExample({ store: { status: 'up', count: 42 } }),
      healthExample({}, { store: { status: 'down', reason: 'the store is closed' } }),
      edge,
    ),
    [METRICS_PATH]: {
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tags: ['metrics'],
      responses: {
        '200': {
          description: 'Prometheus text format 0.0.4.',
          headers: NO_STORE,
          content: {
            'text/plain': {
              schema: { type: 'string' },
              example: `# HELP ${METRIC_NAMES.visitsRecorded} Visits this process recorded (acknowledged after they reached the disk).\n# TYPE ${METRIC_NAMES.visitsRecorded} counter\n${METRIC_NAMES.visitsRecorded} 42\n`,
            },
          },
        },
        ...edge,
      },
    },
    [VERSION_PATH]: {
      operationId: 'version',
      summary: 'The build this process runs',
      tags: ['version'],
      responses: {
        '200': {
          description: 'The version and revision it was built from, and the Node.js it runs on.',
          headers: NO_STORE,
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Version' },
              example: { version: '0.1.0', revision: '4161af6', node: 'v24.11.1' },
            },
          },
        },
        ...edge,
      },
    },
    [OPENAPI_PATH]: {
      operationId: 'openapi',
      summary: 'This description',
      description: "The OpenAPI 3.1 description of both ports' routes, as JSON.",
      tags: ['openapi'],
      responses: {
        '200': {
          description: 'The description.',
          headers: NO_STORE,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['openapi', 'info', 'paths'],
                properties: {
                  openapi: { type: 'string', const: '3.1.0' },
                  info: { type: 'object' },
                  paths: { type: 'object' },
                },
              },
            },
          },
        },
        ...edge,
      },
    },
  };
  for (const path of OPS_PATHS) {
    document.paths[path] = {
      'x-port': 'ops',
      servers: OPS_SERVERS,
      get: items[path],
    } as unknown as Doc['paths'][string];
  }
  document.components['schemas'] = {
    ...document.components['schemas'],
    Version: {
      type: 'object',
      description: 'GET /version on the ops port.',
      required: ['version', 'revision', 'node'],
      properties: {
        version: { type: 'string', description: "The service's version (package.json)." },
        revision: { type: 'string', description: 'The source revision it was built from.' },
        node: { type: 'string', description: 'The Node.js version it runs on.' },
      },
      additionalProperties: false,
    },
  };
}

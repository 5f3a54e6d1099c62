import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  HEALTH_PATHS,
  METRICS_PATH,
  OPENAPI_PATH,
  OPS_PATHS,
  VERSION_PATH,
} from '@stateful-visits/visits-contract';
import type { Logger } from 'pino';
import type { ProbeAnswer } from '../health/health-probes.js';
import { clientErrorHandler, connectHandler } from '../http/client-errors.js';
import { errorBody } from '../http/error-body.js';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from '../http/limits.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import type { BuildInfo } from '../version/build-info.js';

/** What GET /version answers. */
export interface VersionBody extends BuildInfo {
  /** The Node.js version the process runs on. */
  readonly node: string;
}

/** What the ops port serves, each read at request time. */
export interface OpsRoutes {
  readonly probes: {
    live(): Promise<ProbeAnswer>;
    ready(): Promise<ProbeAnswer>;
    startup(): Promise<ProbeAnswer>;
  };
  readonly metrics: { text(): Promise<string>; readonly contentType: string };
  readonly build: BuildInfo;
  /** The OpenAPI description's JSON text (src/openapi/served-document.ts). */
  openapi(): Promise<string>;
  readonly shuttingDown: () => boolean;
}

interface Answer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (statusCode: number, value: unknown, headers?: Record<string, string>): Answer => ({
  statusCode,
  contentType: JSON_TYPE,
  body: JSON.stringify(value),
  ...(headers ? { headers } : {}),
});

/**
 * The ops port: probes, metrics, the version and the OpenAPI description, for the kubelet,
 * Prometheus and operators.
 *
 * A plain node:http server beside Nest's Fastify, in the same process: five fixed GET routes need
 * no router, and a second Fastify instance cost 0.8 MiB of idle RSS (74.9 → 75.7 MiB, 7 starts
 * each) where this costs nothing measurable. A second Nest app would bootstrap a second container
 * whose store, metrics and lifecycle would have to be the first one's anyway; here the routes call
 * the one container's HealthProbes and MetricsService. It shares the service port's limits, its
 * answers to malformed requests and its headers (src/http), not its access log or request
 * metrics: nothing here is logged or counted as traffic.
 */
export function createOpsServer(routes: OpsRoutes, logger: Logger): Server {
  const version: VersionBody = { ...routes.build, node: process.version };
  const handlers = new Map<string, () => Promise<Answer>>([
    [HEALTH_PATHS.live, () => probe(routes.probes.live())],
    [HEALTH_PATHS.ready, () => probe(routes.probes.ready())],
    [HEALTH_PATHS.startup, () => probe(routes.probes.startup())],
    [
      METRICS_PATH,
      async () => ({
        statusCode: 200,
        contentType: routes.metrics.contentType,
        body: await routes.metrics.text(),
      }),
    ],
    [VERSION_PATH, () => Promise.resolve(json(200, version))],
    [
      OPENAPI_PATH,
      async () => ({ statusCode: 200, contentType: JSON_TYPE, body: await routes.openapi() }),
    ],
  ]);

  const answerTo = async (request: IncomingMessage): Promise<Answer> => {
    const path = pathOf(request.url ?? '/');
    const handler = handlers.get(path);
    if (handler === undefined) {
      return json(
        404,
        errorBody(
          404,
          `there is no route ${request.method} ${path} on the ops port; it serves ${OPS_PATHS.join(', ')}`,
        ),
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return json(
        405,
        errorBody(405, `${request.method} is not allowed on this path; use GET or HEAD`),
        { allow: 'GET, HEAD' },
      );
    }
    return handler();
  };

  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    (request, response) => {
      // No route reads a body: let one that was sent drain.
      request.resume();
      answerTo(request).then(
        (answer) => send(request, response, answer, routes.shuttingDown()),
        (error: unknown) => {
          logger.error({ err: error, url: request.url }, 'ops route failed');
          send(
            request,
            response,
            json(500, errorBody(500, 'an unexpected error occurred; it has been logged')),
            routes.shuttingDown(),
          );
        },
      );
    },
  );
  server.on('clientError', clientErrorHandler);
  server.on('connect', connectHandler);
  return server;
}

async function probe(check: Promise<ProbeAnswer>): Promise<Answer> {
  const { statusCode, body } = await check;
  return json(statusCode, body);
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  answer: Answer,
  shuttingDown: boolean,
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.statusCode, {
    ...SECURITY_HEADERS,
    ...answer.headers,
    'cache-control': 'no-store',
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
    // As on the service port: a keep-alive client (Prometheus) lets go once shutdown has begun.
    ...(shuttingDown ? { connection: 'close' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : answer.body);
}

function pathOf(url: string): string {
  return (url.split('?')[0] ?? url).slice(0, 200);
}

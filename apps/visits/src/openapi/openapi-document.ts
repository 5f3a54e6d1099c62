import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { environment } from '@stateful-visits/visits-contract';
import {
  BODY_LIMIT_BYTES,
  HEADERS_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
} from '../http/limits.js';
import { BODY_REFUSALS, EDGE_RESPONSES, UNMATCHED_RESPONSES } from './api-responses.js';
import { ErrorBodyDto } from './api-schemas.js';
import { describeCors } from './cors-description.js';
import { HealthReportDto } from './health-report.js';
import { describeOpsPaths } from './ops-paths.js';
import { FLEET_SCHEMAS } from './fleet-schemas.js';
import { operations, withoutStatus, type Doc, type Json } from './document-json.js';

/** The version of the API (not of the service): raised when the API changes. */
export const API_VERSION = '2.0.0';

const DESCRIPTION = `Each pod of the visits StatefulSet counts its own visits in a durable store on its own volume. A visit is acknowledged only once it is on disk.

**Two ports.** The visit routes and \`/fleet\` are on the service port (\`PORT\`, ${environment.PORT.default}). Probes, metrics, the version and this description are on the ops port (\`OPS_PORT\`, ${environment.OPS_PORT.default}), which the client Service does not expose: those path items carry their own \`servers\` (and \`x-port: ops\`), and each port answers \`404\` for the other's paths. Every answer that records or shows a count, and every ops answer, carries \`Cache-Control: no-store\`.

**Times.** Every timestamp (\`time\`, \`recent\`, \`askedAt\`) is RFC 3339 in UTC with milliseconds and \`Z\` (\`2026-12-03T08:40:34.700Z\`, what JavaScript's \`Date.prototype.toISOString()\` writes). Where the time in the service's \`TIMEZONE\` matters (\`GET /\`), it is a separate field, \`localTime\`: RFC 3339 with that zone's offset, and \`timezone\` names the zone.

**Errors.** Every error is JSON \`{ statusCode, error, message }\` (schema \`ErrorBody\`): the message says what is wrong and, where the client can act, what to do; it never holds a stack trace or a file path. Any request can get \`400\` (not valid HTTP/1.1, no \`Host\`, a URL that does not decode), \`408\` (headers not complete within ${HEADERS_TIMEOUT_MS / 1000} s, or the whole request within ${REQUEST_TIMEOUT_MS / 1000} s), \`431\` (request line and headers over ${MAX_HEADER_BYTES / 1024} KiB), \`500\` and \`503\` (shutting down). A request with a body can also get \`413\` (over ${BODY_LIMIT_BYTES / 1024} KiB) or \`415\`. A request no operation matches gets \`404\` when no route has its path and \`405\` with \`Allow\` when the path exists with other methods: \`x-unmatched-requests\` lists what such a request can get. \`HEAD\` is answered wherever \`GET\` is, with the same headers and no body.

**CORS.** Off unless the service setting \`CORS_ORIGINS\` lists origins (or is \`*\`). Then pages on those origins may call \`GET /\`, \`GET /visits\` and \`POST /visits\` from a browser: preflights (\`OPTIONS\` with \`Origin\` and \`Access-Control-Request-Method\`) are answered \`204\`, or \`403\` for another origin, and answers to an allowed origin carry \`Access-Control-Allow-Origin\`. No other route ever carries CORS headers.`;

/**
 * The OpenAPI 3.1 description of every route `app` serves, from the routes' decorators (Nest's
 * Swagger module) and the HTTP edge's own constants (limits, CORS). docs/openapi.json is its
 * committed rendering (openapi-file.ts); a test fails when the two differ.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('stateful-visits')
    .setDescription(DESCRIPTION)
    .setVersion(API_VERSION)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer(
      'http://{host}:{port}',
      'A pod of the service, or the visits Service in a cluster.',
      {
        host: { default: 'localhost', description: 'The pod or Service name, or an address.' },
        port: {
          default: String(environment.PORT.default),
          description: 'The service setting PORT.',
        },
      },
    )
    .addTag('visits', "Record visits and read this pod's count.")
    .addTag('fleet', 'Every pod of the set and its count, asked live.')
    .addTag('health', 'Probes, on the ops port; never count as visits.')
    .addTag('metrics', 'Prometheus metrics, on the ops port.')
    .addTag('version', 'The build, on the ops port.')
    .addTag('openapi', 'This description.')
    .addGlobalResponse(...EDGE_RESPONSES)
    .build();
  const document = SwaggerModule.createDocument(
    app,
    // No operation needs credentials: said once, for all.
    { ...config, security: [] },
    {
      operationIdFactory: (_controller, method) => method,
      extraModels: [ErrorBodyDto, HealthReportDto],
    },
  ) as unknown as Doc;
  delete (document['info'] as Json)['contact'];
  // The answers hold exactly the fields described: the e2e tests then catch an undescribed one.
  for (const schema of Object.values(document.components['schemas'] ?? {}) as Json[])
    if (schema['type'] === 'object' && schema['properties'] !== undefined)
      schema['additionalProperties'] ??= false;

  const shared = new Map(
    [...EDGE_RESPONSES, ...BODY_REFUSALS, ...UNMATCHED_RESPONSES].map((r) => [
      String(r.status),
      withoutStatus(r),
    ]),
  );
  const isShared = (status: string, response: Json) =>
    JSON.stringify(response) === JSON.stringify(shared.get(status));
  const edgeAnswers = Object.fromEntries(
    EDGE_RESPONSES.map((r) => [String(r.status), shared.get(String(r.status))!]),
  );
  // The ops port answers while shutting down (readiness says so): no 503 ErrorBody there.
  describeOpsPaths(
    document,
    Object.fromEntries(Object.entries(edgeAnswers).filter(([status]) => status !== '503')),
  );
  document.components['schemas'] = { ...document.components['schemas'], ...FLEET_SCHEMAS };
  // A preflight is an OPTIONS request: without CORS a 405; with a body, refused like any other.
  const preflightAnswers = Object.fromEntries(
    ['405', '413', '415'].map((status) => [status, shared.get(status)!]),
  );
  describeCors(document, { ...edgeAnswers, ...preflightAnswers }, isShared);
  shareResponses(document, shared, isShared);
  return toJsonSchemaExamples(document) as unknown as OpenAPIObject;
}

/** components.responses names, by status. */
const SHARED_NAMES: Readonly<Record<string, string>> = {
  '400': 'BadRequest',
  '404': 'NotFound',
  '405': 'MethodNotAllowed',
  '408': 'RequestTimeout',
  '413': 'ContentTooLarge',
  '415': 'UnsupportedMediaType',
  '431': 'RequestHeaderFieldsTooLarge',
  '500': 'InternalServerError',
  '503': 'ServiceUnavailable',
};

/**
 * The edge's answers once, in components.responses, referenced wherever an operation lists them
 * unchanged. `x-unmatched-requests` lists what a request no operation matches can get; an answer
 * no operation lists (404) stands there itself, since an unused component is a lint error.
 */
function shareResponses(
  document: Doc,
  shared: ReadonlyMap<string, Json>,
  isShared: (status: string, response: Json) => boolean,
): void {
  const ref = (status: string) => ({ $ref: `#/components/responses/${SHARED_NAMES[status]!}` });
  const used = new Set<string>();
  for (const op of operations(document)) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (isShared(status, response)) {
        op.responses[status] = ref(status);
        used.add(status);
      }
    }
  }
  document.components['responses'] = Object.fromEntries(
    [...shared].flatMap(([status, r]) => (used.has(status) ? [[SHARED_NAMES[status]!, r]] : [])),
  );
  document['x-unmatched-requests'] = Object.fromEntries(
    [...shared].map(([status, r]) => [status, used.has(status) ? ref(status) : r]),
  );
}

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, where `example` gives way to `examples` (an
 * array). Media types and parameters keep their `example`.
 */
function toJsonSchemaExamples(document: Doc): Doc {
  const SCHEMA_HOLDERS = new Set([
    'schema',
    'schemas',
    'properties',
    'items',
    'additionalProperties',
  ]);
  const walk = (node: unknown, inSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, inSchema));
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === 'example' && inSchema) out['examples'] = [value];
      else if (key === 'example' || key === 'examples' || key === 'const' || key === 'enum')
        out[key] = value;
      else out[key] = walk(value, SCHEMA_HOLDERS.has(key) || (inSchema && key !== 'content'));
    }
    return out;
  };
  return walk(document, false) as Doc;
}

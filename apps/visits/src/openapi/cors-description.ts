import { CORS_MAX_AGE_SECONDS, CORS_ROUTES } from '../http/cors.js';
import { errorResponse } from './api-responses.js';
import { withoutStatus, type Doc, type Json, type Operation } from './document-json.js';

const ALLOW_ORIGIN = 'Access-Control-Allow-Origin';

/**
 * The CORS routes (http/cors.ts) as browsers see them: a preflight operation on each (answering
 * 204 or 403, and `preflightAnswers` besides), and the CORS headers on the answers their routes
 * give. `isShared` tells the answers the HTTP parser or the router gives before CORS is looked
 * at: those never carry CORS headers.
 */
export function describeCors(
  document: Doc,
  preflightAnswers: Readonly<Record<string, Json>>,
  isShared: (status: string, response: Json) => boolean,
): void {
  document.components['headers'] = {
    ...document.components['headers'],
    [ALLOW_ORIGIN]: {
      description:
        "Only when CORS_ORIGINS allows the request's `Origin`: that origin, or `*` when CORS_ORIGINS is `*`.",
      schema: { type: 'string' },
      example: 'https://example.com',
    },
    Vary: {
      description:
        'What the answer depends on besides the URL: `Origin` when CORS_ORIGINS lists origins, and `Accept` on `GET /`.',
      schema: { type: 'string' },
      example: 'Accept, Origin',
    },
  };
  const headers = {
    [ALLOW_ORIGIN]: { $ref: `#/components/headers/${ALLOW_ORIGIN}` },
    Vary: { $ref: '#/components/headers/Vary' },
  };
  for (const [path, methods] of Object.entries(CORS_ROUTES)) {
    const item = document.paths[path];
    if (item === undefined) throw new Error(`CORS_ROUTES names ${path}, which no route serves`);
    for (const method of methods) {
      const op = item[method.toLowerCase()];
      if (op === undefined) continue; // HEAD: Fastify answers it with the GET route.
      for (const [status, response] of Object.entries(op.responses)) {
        if (!isShared(status, response))
          op.responses[status] = {
            ...response,
            headers: { ...(response['headers'] as Json | undefined), ...headers },
          };
      }
    }
    item['options'] = preflight(path, methods, preflightAnswers);
  }
}

function header(name: string, description: string, example: string, required = false): Json {
  return { name, in: 'header', required, description, schema: { type: 'string' }, example };
}

function preflight(
  path: string,
  methods: readonly string[],
  otherAnswers: Readonly<Record<string, Json>>,
): Operation {
  const name = path === '/' ? 'Visit' : path.slice(1).replace(/^./, (c) => c.toUpperCase());
  return {
    operationId: `preflight${name}`,
    summary: `CORS preflight for ${methods.join(', ')} ${path}`,
    description:
      'What a browser asks before a cross-origin request that is not "simple" (a `POST` with `Content-Type: application/json`, say). Answered only when CORS_ORIGINS is set; without it, and to an `OPTIONS` that is not a preflight, `405`.',
    tags: ['visits'],
    parameters: [
      header('Origin', 'The origin of the page.', 'https://example.com', true),
      header(
        'Access-Control-Request-Method',
        'The method the page wants to use.',
        methods[methods.length - 1]!,
        true,
      ),
      header(
        'Access-Control-Request-Headers',
        'The headers the page wants to send: allowed as asked.',
        'content-type',
      ),
    ],
    responses: {
      '204': {
        description: 'The origin may call this route.',
        headers: {
          [ALLOW_ORIGIN]: {
            required: true,
            description: 'The origin, or `*` when CORS_ORIGINS is `*`.',
            schema: { type: 'string' },
            example: 'https://example.com',
          },
          'Access-Control-Allow-Methods': {
            required: true,
            description: 'The methods of this route.',
            schema: { type: 'string', const: methods.join(', ') },
          },
          'Access-Control-Allow-Headers': {
            description: 'The headers asked for in `Access-Control-Request-Headers`, when given.',
            schema: { type: 'string' },
            example: 'content-type',
          },
          'Access-Control-Max-Age': {
            required: true,
            description: 'Seconds the browser may reuse this answer.',
            schema: { type: 'string', const: String(CORS_MAX_AGE_SECONDS) },
          },
          Vary: {
            required: true,
            description: 'The request headers the answer depends on.',
            schema: { type: 'string' },
            example: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
          },
        },
      },
      '403': withoutStatus(
        errorResponse(
          403,
          'CORS is on, but not for this origin: the browser will not make the request.',
          "a page on https://elsewhere.example may not call this API from a browser: that origin is not in the service's CORS_ORIGINS",
        ),
      ),
      ...otherAnswers,
    },
  };
}

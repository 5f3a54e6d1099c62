import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ApiResponseOptions } from '@nestjs/swagger';
import { reasonPhrase } from '../http/error-body.js';
import {
  BODY_LIMIT_BYTES,
  HEADERS_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
} from '../http/limits.js';
import { storeErrorToHttp } from '../http/store-error-status.js';
import { StoreClosedError } from '../store/store.errors.js';

const JSON_TYPE = 'application/json';

/** A JSON error answer `{ statusCode, error, message }` with an example message. */
export function errorResponse(
  status: number,
  description: string,
  message: string,
  headers?: ApiResponseOptions['headers'],
): ApiResponseOptions {
  return {
    status,
    description,
    ...(headers === undefined ? {} : { headers }),
    content: {
      [JSON_TYPE]: {
        schema: { $ref: '#/components/schemas/ErrorBody' },
        example: { statusCode: status, error: reasonPhrase(status), message },
      },
    },
  };
}

/** Documents a JSON error answer on one route. */
export const ApiErrorResponse = (status: number, description: string, message: string) =>
  ApiResponse(errorResponse(status, description, message));

/**
 * Answers any request may get, whatever its route, from the HTTP edge (src/http): refused before
 * a route runs, or a failure no route expected. Every operation lists them.
 */
export const EDGE_RESPONSES: readonly ApiResponseOptions[] = [
  errorResponse(
    400,
    'The request is not valid HTTP/1.1 (a malformed request line or header, no `Host`, a URL whose percent-encoding does not decode, a body that does not parse as its `Content-Type` says), or a parameter is out of range.',
    'an HTTP/1.1 request needs a Host header',
  ),
  errorResponse(
    408,
    `The client took longer than ${HEADERS_TIMEOUT_MS / 1000} s to send its request line and headers, or ${REQUEST_TIMEOUT_MS / 1000} s for the whole request. The connection is closed.`,
    `the request was not received in time: headers must arrive within ${HEADERS_TIMEOUT_MS / 1000} s and the whole request within ${REQUEST_TIMEOUT_MS / 1000} s`,
  ),
  errorResponse(
    431,
    `The request line and headers together are longer than ${MAX_HEADER_BYTES / 1024} KiB. The connection is closed.`,
    `the request line and headers are longer than ${MAX_HEADER_BYTES / 1024} KiB`,
  ),
  errorResponse(
    500,
    'Something failed that should not have; it has been logged. Nothing was recorded.',
    'an unexpected error occurred; it has been logged',
  ),
  errorResponse(
    503,
    'The service is shutting down and takes no new requests: send them to another replica.',
    'Service Unavailable',
  ),
];

/** Answers a request with a body can get (only POST reads one), before any route runs. */
export const BODY_REFUSALS: readonly ApiResponseOptions[] = [
  errorResponse(
    413,
    `The request body is longer than ${BODY_LIMIT_BYTES / 1024} KiB. Nothing was recorded.`,
    'Request body is too large',
  ),
  errorResponse(
    415,
    'The request has a body of a media type the service does not parse (no route needs a body: send none). Nothing was recorded.',
    'Unsupported Media Type',
  ),
];

/** Documents BODY_REFUSALS on a route that takes a body. */
export const ApiBodyRefusals = () => applyDecorators(...BODY_REFUSALS.map((r) => ApiResponse(r)));

/** What a request no route matches gets (http/http-exception.filter.ts). */
export const UNMATCHED_RESPONSES: readonly ApiResponseOptions[] = [
  errorResponse(404, 'No route has this path.', 'there is no route GET /no/such/path'),
  errorResponse(
    405,
    'The path exists, but not with this method: `Allow` lists the methods it has.',
    'DELETE is not allowed on this path; use GET or HEAD or POST',
    {
      Allow: {
        required: true,
        description: 'The methods the path answers.',
        schema: { type: 'string' },
        example: 'GET, HEAD, POST',
      },
    },
  ),
];

/** Answers of the routes that record a visit when the store cannot (http/store-error-status.ts). */
export const ApiStoreRefusals = () =>
  applyDecorators(
    ApiErrorResponse(
      503,
      'The visit was not recorded: this replica is shutting down, or cannot write to its volume right now (its `/health/ready` says why). Retry, shortly or on another replica.',
      storeErrorToHttp(new StoreClosedError()).message,
    ),
    ApiErrorResponse(
      507,
      'The visit was not recorded: the count has reached 2^53 − 1, the largest this store keeps exactly.',
      `the count would pass 2^53-1 (${Number.MAX_SAFE_INTEGER}), the largest this store keeps exactly; no more visits can be recorded on this volume`,
    ),
  );

/** The header of every answer that records or shows a count. */
export const NO_STORE_HEADER = {
  'Cache-Control': {
    required: true,
    description: 'The answer shows a count: no browser or proxy may store it and show it again.',
    schema: { type: 'string', const: 'no-store' },
  },
} as const;

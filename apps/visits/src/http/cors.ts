import type { CorsOrigins } from '@stateful-visits/visits-contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body.js';
import { requestPath } from './request-path.js';

/**
 * The routes a browser page on another origin may call when `CORS_ORIGINS` is set, with the
 * methods each answers. Nothing else ever carries CORS headers: health, metrics and whatever an
 * operator, not a page, reads.
 */
export const CORS_ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/': ['GET', 'HEAD'],
  '/visits': ['GET', 'HEAD', 'POST'],
};

/** How long a browser may reuse a preflight's answer (Chromium caps it at 7200). */
export const CORS_MAX_AGE_SECONDS = 600;

/** Request headers a preflight may ask for: a comma-separated list of header names. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9a-z-]+)*$/i;

/**
 * Opt-in CORS for CORS_ROUTES (nothing is installed when `origins` is empty: no cost, no
 * headers, OPTIONS stays 405 as everywhere). A preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) is answered here, before routing: 204 with the Access-Control
 * headers for an allowed origin, 403 JSON for another. Actual answers to an allowed origin carry
 * Access-Control-Allow-Origin, errors included, so a page can read why a visit was refused.
 *
 * A hook of its own rather than @fastify/cors: that plugin adds an OPTIONS route for every path
 * (which would turn every 405 with Allow into something else) and a Vary header to every answer,
 * health and metrics included; restricting it per route takes as much code as this.
 */
export function addCors(fastify: FastifyInstance, origins: CorsOrigins): void {
  if (origins !== '*' && origins.length === 0) return;
  const allowed = new Set(origins === '*' ? [] : origins);
  /** The Access-Control-Allow-Origin for a request's Origin, or undefined when it may not. */
  const allowOrigin = (origin: string | undefined): string | undefined =>
    origins === '*' ? '*' : origin !== undefined && allowed.has(origin) ? origin : undefined;
  // With a list the answer depends on the Origin; with * it does not.
  const varyOrigin = origins !== '*';

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (request.method !== 'OPTIONS') return done();
    const methods = CORS_ROUTES[requestPath(request.url)];
    const origin = request.headers.origin;
    const method = request.headers['access-control-request-method'];
    // Not a preflight (or not on a CORS route): routing answers it, 405 with Allow.
    if (methods === undefined || origin === undefined || method === undefined) return done();
    const vary = ['Access-Control-Request-Method', 'Access-Control-Request-Headers'];
    if (varyOrigin) vary.unshift('Origin');
    void reply.header('Vary', vary.join(', '));
    const allow = allowOrigin(origin);
    if (allow === undefined) {
      void reply
        .code(403)
        .type('application/json; charset=utf-8')
        .send(
          errorBody(
            403,
            `a page on ${origin.slice(0, 200)} may not call this API from a browser: that origin is not in the service's CORS_ORIGINS`,
          ),
        );
      return;
    }
    void reply.code(204).headers({
      'access-control-allow-origin': allow,
      'access-control-allow-methods': methods.join(', '),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    });
    const headers = request.headers['access-control-request-headers'];
    if (typeof headers === 'string' && headers.length <= 1024 && HEADER_LIST.test(headers.trim()))
      void reply.header('access-control-allow-headers', headers.trim());
    void reply.send();
  });

  // Actual answers: added at the end (onSend) so that a route's own Vary (GET / varies on Accept)
  // is kept.
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
    const methods =
      request.method === 'OPTIONS' ? undefined : CORS_ROUTES[requestPath(request.url)];
    if (methods?.includes(request.method) === true) {
      if (varyOrigin) void reply.header('Vary', withVary(reply.getHeader('vary'), 'Origin'));
      const allow = allowOrigin(request.headers.origin);
      if (allow !== undefined) void reply.header('Access-Control-Allow-Origin', allow);
    }
    done(null, payload);
  });
}

function withVary(current: unknown, name: string): string {
  const value = Array.isArray(current)
    ? current.join(', ')
    : typeof current === 'string'
      ? current
      : '';
  if (value === '') return name;
  return value.split(/\s*,\s*/).some((v) => v.toLowerCase() === name.toLowerCase() || v === '*')
    ? value
    : `${value}, ${name}`;
}

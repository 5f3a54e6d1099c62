import type { FastifyInstance, FastifyReply } from 'fastify';

/** On every answer, errors from Node's parser included (client-errors.ts writes them itself). */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * One onSend hook for every header the edge adds to an answer: the security headers, and once
 * shutdown has begun `Connection: close`. One hook rather than two: every request passes through it.
 */
export function addResponseHeaders(fastify: FastifyInstance, shuttingDown: () => boolean): void {
  fastify.addHook('onSend', (_request, reply: FastifyReply, payload, done) => {
    void reply.headers(SECURITY_HEADERS);
    // A keep-alive connection that was busy when shutdown began would otherwise stay open (and
    // hold up the server's close) until its keep-alive timeout.
    if (shuttingDown()) void reply.header('Connection', 'close');
    done(null, payload);
  });
}

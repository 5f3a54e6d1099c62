import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  ConnectionError,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { errorBody } from './error-body.js';
import { HEADERS_TIMEOUT_MS, MAX_HEADER_BYTES, REQUEST_TIMEOUT_MS } from './limits.js';
import { SECURITY_HEADERS } from './security-headers.js';

// Requests refused before any route runs, by Node's parser, by Fastify or by the Host check,
// answered with the same `{ statusCode, error, message }` JSON and headers as every other error.

/**
 * Answers what Node's HTTP parser refuses (malformed requests, headers too large, a client too
 * slow to send its request), then closes the connection.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight?.req.complete === true && !inFlight.writableFinished) {
    // The bad bytes came after a whole request that is being answered (pipelined junk, or data
    // after "Connection: close"): that request may have recorded a visit, so its answer goes out
    // whole and then the connection closes. An error written now would arrive in its place.
    const close = () => socket.destroySoon();
    inFlight.once('finish', close).once('close', close);
    return;
  }
  if (inFlight?.headersSent === true) {
    // Too late for another answer on this connection.
    socket.destroy();
    return;
  }
  const { statusCode, message } = describe(error);
  answerAndClose(socket, statusCode, message);
}

/**
 * CONNECT asks a server to act as a tunnelling proxy; this one is not. Without a listener Node
 * would drop the connection without a word.
 */
export function connectHandler(_request: IncomingMessage, socket: Duplex): void {
  answerAndClose(socket, 405, 'CONNECT is not allowed: this service is not a proxy', {
    allow: 'GET, HEAD, POST',
  });
}

function answerAndClose(
  socket: Duplex,
  statusCode: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  const error = errorBody(statusCode, message);
  const body = JSON.stringify(error);
  const headers = Object.entries({
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${statusCode} ${error.error}\r\n${headers}\r\n${body}`);
}

function describe(error: ConnectionError): { statusCode: number; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        statusCode: 408,
        message:
          `the request was not received in time: headers must arrive within ${HEADERS_TIMEOUT_MS / 1000} s ` +
          `and the whole request within ${REQUEST_TIMEOUT_MS / 1000} s`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        statusCode: 431,
        message: `the request line and headers are longer than ${MAX_HEADER_BYTES / 1024} KiB`,
      };
    default:
      return {
        statusCode: 400,
        message: `the request is not valid HTTP/1.1 (${error.code})`,
      };
  }
}

/** Fastify's own refusals before routing (a URL whose percent-encoding does not decode). */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const statusCode = error.statusCode ?? 400;
  void reply
    .code(statusCode)
    .headers(SECURITY_HEADERS)
    .type('application/json; charset=utf-8')
    .send(
      errorBody(
        statusCode,
        error.code === 'FST_ERR_BAD_URL'
          ? 'the URL is not valid: it holds a percent sign that is not followed by two hex digits'
          : 'the request could not be routed',
      ),
    );
}

/**
 * HTTP/1.1 requires a Host header (RFC 9112 3.2). Node's own check answers an empty 400; this one
 * answers like every other error. A callback-style hook: an async one costs every request a
 * promise and a microtask (measured: a few percent of POST throughput).
 */
export function addHostHeaderCheck(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.code(400).send(errorBody(400, 'an HTTP/1.1 request needs a Host header'));
      return;
    }
    done();
  });
}

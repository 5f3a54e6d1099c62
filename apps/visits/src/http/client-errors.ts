import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS } from './http-hooks.js';

/** A client has this long to send its request line and headers (a probe or a proxy sends them at once). */
export const HEADERS_TIMEOUT_MS = 5_000;
/** ...and this long for the whole request: no route reads a body beyond 16 KiB. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How often Node checks those two timeouts (its default, 30 s, would let slow clients stay 3× longer). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Request line and headers together; anything longer is refused with 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Answers what Node's HTTP parser refuses before any route runs (malformed requests, headers too
 * large, a client too slow to send its request) with the same `{ statusCode, error, message }`
 * JSON and security headers as every other error, then closes the connection.
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
  const body = JSON.stringify({ statusCode, error: STATUS_CODES[statusCode], message });
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
  socket.end(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n${headers}\r\n${body}`);
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
    .send({
      statusCode,
      error: STATUS_CODES[statusCode],
      message:
        error.code === 'FST_ERR_BAD_URL'
          ? 'the URL is not valid: it holds a percent sign that is not followed by two hex digits'
          : 'the request could not be routed',
    });
}

import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import { clientErrorHandler, frameworkErrorHandler } from './client-errors.js';
import {
  BODY_LIMIT_BYTES,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from './limits.js';

/**
 * The server's limits and its handlers for requests refused before routing (client-errors.ts).
 * A fresh object for each app: Fastify keeps what it is given.
 */
export function fastifyOptions(): FastifyHttpOptions<Server> {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow or stalled clients are cut off (408) instead of holding sockets open: headers within
    // 5 s, the whole request within 10 s, checked every second. Idle keep-alive connections (a
    // load balancer's pool) are not requests: they stay open for keepAliveTimeout.
    http: {
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
      // Checked in an onRequest hook instead, to answer with the JSON error (addHostHeaderCheck).
      requireHostHeader: false,
    },
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: 0,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    logger: false,
  };
}

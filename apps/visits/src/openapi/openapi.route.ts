import { OPENAPI_PATH } from '@stateful-visits/visits-contract';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorBody } from '../http/error-body.js';
import { servedDocument } from './served-document.js';

/**
 * Serves the OpenAPI description at OPENAPI_PATH: the one place that registers it (to serve it
 * on another port, call this with that port's Fastify instance). Read on the first request, not
 * at startup, and kept.
 */
export function serveOpenApiDocument(fastify: FastifyInstance, logger: Logger): void {
  let text: Promise<string> | undefined;
  fastify.get(OPENAPI_PATH, (_request, reply) => {
    text ??= servedDocument();
    void text.then(
      (json) => void reply.type('application/json; charset=utf-8').send(json),
      (error: unknown) => {
        text = undefined;
        logger.error({ err: error }, 'the OpenAPI description could not be read');
        void reply
          .code(500)
          .type('application/json; charset=utf-8')
          .send(errorBody(500, 'an unexpected error occurred; it has been logged'));
      },
    );
  });
}

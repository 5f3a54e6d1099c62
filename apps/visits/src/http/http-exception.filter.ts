import {
  Catch,
  HttpException,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { labelRefusedMethod } from './access-log.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { requestPath } from './request-path.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Every error becomes `{ statusCode, error, message }` JSON. A wrong method on a known path is a 405
 * with an Allow header, not a 404. Unexpected errors are logged and answered without a stack trace.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let body: ErrorBody;

    if (exception instanceof NotFoundException && request.routeOptions.url === undefined) {
      const allow = this.allowedMethods(request.url);
      if (allow.length > 0) {
        labelRefusedMethod(request, pathOf(request.url));
        void reply.header('Allow', allow.join(', '));
        body = errorBody(
          405,
          `${request.method} is not allowed on this path; use ${allow.join(' or ')}`,
        );
      } else {
        body = errorBody(404, `there is no route ${request.method} ${pathOf(request.url)}`);
      }
    } else if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus's report (which check failed and why) is the useful part of a failed probe.
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    } else if (exception instanceof HttpException) {
      body = errorBody(exception.getStatus(), messageOf(exception));
    } else if (isFastifyClientError(exception)) {
      body = errorBody(exception.statusCode, exception.message);
    } else {
      this.logger.error({ err: exception, reqId: request.id }, 'unhandled error');
      body = errorBody(500, 'an unexpected error occurred; it has been logged');
    }
    void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
  }

  /** For an unmatched route, the methods that do exist on its path (empty: the path does not exist). */
  private allowedMethods(url: string): string[] {
    const path = requestPath(url);
    return METHODS.filter((method) => this.fastify.hasRoute({ url: path, method }));
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  if (typeof raw === 'string') return raw;
  return Array.isArray(raw) ? raw.map(String).join('; ') : exception.message;
}

function isHealthReport(response: unknown): boolean {
  return (
    typeof response === 'object' &&
    response !== null &&
    'details' in response &&
    'status' in response
  );
}

function isFastifyClientError(e: unknown): e is Error & { statusCode: number } {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return e instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

function pathOf(url: string): string {
  return requestPath(url).slice(0, 200);
}

import {
  Catch,
  HttpException,
  HttpStatus,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { allowedMethods } from './http-hooks.js';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

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
      const allow = allowedMethods(this.fastify, request.url);
      if (allow.length > 0) {
        void reply.header('Allow', allow.join(', '));
        body = {
          statusCode: HttpStatus.METHOD_NOT_ALLOWED,
          error: 'Method Not Allowed',
          message: `${request.method} is not allowed on this path; use ${allow.join(' or ')}`,
        };
      } else {
        body = {
          statusCode: 404,
          error: 'Not Found',
          message: `there is no route ${request.method} ${pathOf(request.url)}`,
        };
      }
    } else if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus's report (which check failed and why) is the useful part of a failed probe.
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    } else if (exception instanceof HttpException) {
      body = fromHttpException(exception);
    } else if (isFastifyClientError(exception)) {
      body = {
        statusCode: exception.statusCode,
        error: reasonPhrase(exception.statusCode),
        message: exception.message,
      };
    } else {
      this.logger.error({ err: exception, reqId: request.id }, 'unhandled error');
      body = {
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'an unexpected error occurred; it has been logged',
      };
    }
    void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
  }
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const message =
    typeof raw === 'string'
      ? raw
      : Array.isArray(raw)
        ? raw.map(String).join('; ')
        : exception.message;
  return { statusCode: status, error: reasonPhrase(status), message };
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

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

function pathOf(url: string): string {
  return (url.split('?')[0] ?? url).slice(0, 200);
}

import {
  BadRequestException,
  Injectable,
  createParamDecorator,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MAX_RECENT } from '../store/visit-store.js';

/**
 * `?limit=` of GET /visits: a whole number from 0 to MAX_RECENT, given at most once. Absent, it is
 * undefined (the service's default applies).
 */
@Injectable()
export class ParseLimitPipe implements PipeTransform<unknown, number | undefined> {
  transform(value: unknown): number | undefined {
    if (value === undefined) return undefined;
    // At most 7 digits before Number(): a 20-digit limit must not round into range.
    if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) > MAX_RECENT) {
      throw new BadRequestException(
        `limit must be a whole number from 0 to ${MAX_RECENT}, given once (got ${JSON.stringify(value)})`,
      );
    }
    return Number(value);
  }
}

const parseLimit = new ParseLimitPipe();

/**
 * `?limit=` through ParseLimitPipe as the parameter is extracted. Bound the usual way,
 * `@Query('limit', ParseLimitPipe)`, Nest runs the pipe through a chain of promises on every
 * request: measured about 1.5 µs more CPU per GET /visits (8%).
 */
export const QueryLimit = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  parseLimit.transform(
    (context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown>)['limit'],
  ),
);

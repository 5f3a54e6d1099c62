import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ErrorBody } from '../http/error-body.js';

// Schemas shared by every route's description. Each property says its type, format and example
// itself: the description is built from decorators alone, never from TypeScript's emitted types
// (the tests run without them), so it is the same whoever builds it.

/**
 * The one time format of the API: RFC 3339 in UTC with milliseconds and `Z`, as
 * `Date.prototype.toISOString()` writes it (2026-12-03T08:40:34.700Z).
 */
export const UTC_TIMESTAMP = {
  type: 'string',
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
} as const;

/** The same instant in `TIMEZONE`: RFC 3339 with milliseconds and that zone's offset (never `Z`). */
export const ZONED_TIMESTAMP = {
  type: 'string',
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[+-]\\d{2}:\\d{2}$',
} as const;

/** The largest count a visit can get (2^53 − 1); past it, visits are refused with 507. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** What every error answer carries, whoever produced it (http/error-body.ts). */
@ApiSchema({
  name: 'ErrorBody',
  description:
    'Every error answer: a route, the framework or the HTTP parser refused the request, or something failed.',
})
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({
    type: 'integer',
    minimum: 400,
    maximum: 599,
    description: 'The status code of the answer, repeated.',
    example: 400,
  })
  readonly statusCode!: number;

  @ApiProperty({
    type: 'string',
    description: "The status code's reason phrase.",
    example: 'Bad Request',
  })
  readonly error!: string;

  @ApiProperty({
    type: 'string',
    description:
      'What is wrong and, where the client can do something about it, what to do. Never a stack trace or a file path.',
    example: 'limit must be a whole number from 0 to 1000, given once (got "abc")',
  })
  readonly message!: string;
}

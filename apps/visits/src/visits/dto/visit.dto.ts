import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { MAX_RECENT } from '@stateful-visits/visits-contract';
import { MAX_COUNT, UTC_TIMESTAMP, ZONED_TIMESTAMP } from '../../openapi/api-schemas.js';
import type { RecordedVisit, VisitsSummary } from '../visits.service.js';

// The answers of the visit routes, as the OpenAPI description shows them. The routes return
// plain objects; these classes only describe them.

const pod = {
  type: 'string',
  description: 'The pod (POD_NAME) that answered: each pod counts its own visits.',
  example: 'visits-0',
} as const;

/** `POST /visits`: the visit is on disk. */
@ApiSchema({
  name: 'RecordedVisit',
  description: 'A visit recorded: it reached the disk before this answer.',
})
export class RecordedVisitDto implements RecordedVisit {
  @ApiProperty(pod)
  readonly pod!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_COUNT,
    description: "This pod's count including this visit: each visit gets its own.",
    example: 42,
  })
  readonly count!: number;
}

/** `GET /`: the visit is on disk, and when it happened. */
@ApiSchema({ name: 'VisitNow', description: 'A visit recorded, and when.' })
export class VisitNowDto extends RecordedVisitDto {
  @ApiProperty({
    ...UTC_TIMESTAMP,
    description: 'When the visit was answered, in UTC.',
    example: '2026-12-03T08:40:34.700Z',
  })
  readonly time!: string;

  @ApiProperty({
    ...ZONED_TIMESTAMP,
    description: 'The same instant in the time zone `timezone`, with its offset.',
    example: '2026-12-03T09:40:34.700+01:00',
  })
  readonly localTime!: string;

  @ApiProperty({
    type: 'string',
    description: 'The IANA time zone of `localTime` (the service setting TIMEZONE).',
    example: 'Europe/Berlin',
  })
  readonly timezone!: string;
}

/** `GET /visits`: the count and the latest visits, without recording one. */
@ApiSchema({ name: 'VisitsSummary', description: "This pod's count and latest visits." })
export class VisitsSummaryDto implements VisitsSummary {
  @ApiProperty(pod)
  readonly pod!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: MAX_COUNT,
    description: "This pod's count.",
    example: 42,
  })
  readonly count!: number;

  @ApiProperty({
    type: 'array',
    items: { ...UTC_TIMESTAMP },
    maxItems: MAX_RECENT,
    description:
      'When the latest visits were recorded, newest first, in UTC: at most `limit`, and at most RECENT_VISITS (the service keeps no more).',
    example: ['2026-12-03T08:40:34.700Z', '2026-12-03T08:40:33.912Z'],
  })
  readonly recent!: string[];
}

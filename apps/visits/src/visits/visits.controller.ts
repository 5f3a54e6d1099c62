import { Controller, Get, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { environment, MAX_RECENT } from '@stateful-visits/visits-contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { ApiBodyRefusals, ApiErrorResponse, ApiStoreRefusals } from '../openapi/api-responses.js';
import { RecordedVisitDto, VisitNowDto, VisitsSummaryDto } from './dto/visit.dto.js';
import { QueryLimit } from './limit.pipe.js';
import { isoInZone, visitPage } from './visit-page.js';
import { VisitsService, type RecordedVisit, type VisitsSummary } from './visits.service.js';

/** GET / as JSON: the visit, when it was answered (UTC), and the same instant in TIMEZONE. */
export interface VisitNow extends RecordedVisit {
  readonly time: string;
  readonly localTime: string;
  readonly timezone: string;
}

@ApiTags('visits')
@ApiExtraModels(VisitNowDto)
@Controller()
export class VisitsController {
  constructor(
    @Inject(VisitsService) private readonly visits: VisitsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A visit by a person: JSON, or a small page for browsers. */
  @Get()
  @ApiOperation({
    operationId: 'visit',
    summary: 'Record a visit and show it',
    description:
      'Records a visit (it is on disk before the answer) and answers JSON, or a small HTML page when the client prefers `text/html` (a browser). `HEAD /` answers the same headers without recording a visit (link checkers, uptime monitors).',
  })
  @ApiOkResponse({
    description: 'The visit was recorded. The answer varies on `Accept`.',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/VisitNow' },
        example: {
          pod: 'visits-0',
          count: 42,
          time: '2026-12-03T08:40:34.700Z',
          localTime: '2026-12-03T09:40:34.700+01:00',
          timezone: 'Europe/Berlin',
        },
      },
      'text/html': {
        schema: { type: 'string' },
        example: '<!doctype html>\n<html lang="en">…<h1>Visit number 42</h1>…</html>\n',
      },
    },
  })
  @ApiStoreRefusals()
  async root(
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | VisitNow> {
    // HEAD is a safe method (link checkers, uptime monitors): it answers without counting a visit.
    const visit =
      request.method === 'HEAD'
        ? { pod: this.visits.pod, count: this.visits.count }
        : await this.visits.record();
    const now = new Date();
    const body: VisitNow = {
      ...visit,
      time: now.toISOString(),
      localTime: isoInZone(now, this.config.timeZone),
      timezone: this.config.timeZone,
    };
    void reply.header('Vary', 'Accept');
    const type = new Negotiator({ headers: { accept } }).mediaType([
      'application/json',
      'text/html',
    ]);
    if (type === 'text/html') {
      void reply.type('text/html; charset=utf-8');
      return visitPage(body);
    }
    return body;
  }

  @Post('visits')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'recordVisit',
    summary: 'Record a visit',
    description:
      'Records a visit: the answer is sent once it is on disk (fdatasync), so an acknowledged visit survives a crash. Concurrent visits each get their own count. No body is needed.',
  })
  @ApiCreatedResponse({
    description: 'The visit was recorded.',
    type: RecordedVisitDto,
    example: { pod: 'visits-0', count: 42 },
  })
  @ApiBodyRefusals()
  @ApiStoreRefusals()
  record(): Promise<RecordedVisit> {
    return this.visits.record();
  }

  @Get('visits')
  @ApiOperation({
    operationId: 'getVisits',
    summary: "This pod's count and latest visits",
    description: "This pod's count and its latest visits, newest first, without recording one.",
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `How many of the latest visits to list, from 0 to ${MAX_RECENT}, given at most once. Without it, RECENT_VISITS (${environment.RECENT_VISITS.default} unless set); the service never keeps more than RECENT_VISITS.`,
    schema: { type: 'integer', minimum: 0, maximum: MAX_RECENT },
    examples: {
      latest: { summary: 'the 10 latest visits', value: 10 },
      countOnly: { summary: 'the count alone', value: 0 },
    },
  })
  @ApiOkResponse({
    description: "This pod's count and latest visits.",
    type: VisitsSummaryDto,
    example: {
      pod: 'visits-0',
      count: 42,
      recent: ['2026-12-03T08:40:34.700Z', '2026-12-03T08:40:33.912Z'],
    },
  })
  @ApiErrorResponse(
    400,
    '`limit` is not a whole number from 0 to the maximum, or is given more than once; or the request is not valid HTTP/1.1. Nothing was recorded.',
    `limit must be a whole number from 0 to ${MAX_RECENT}, given once (got "abc")`,
  )
  summary(@QueryLimit() limit: number | undefined): VisitsSummary {
    return this.visits.summary(limit);
  }
}

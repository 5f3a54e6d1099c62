import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { environment, MAX_RECENT, READY_HEADER } from '@stateful-visits/visits-contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { wantsHtml } from '../fleet/fleet.controller.js';
import { FleetService } from '../fleet/fleet.service.js';
import {
  ApiBodyRefusals,
  ApiErrorResponse,
  ApiStoreRefusals,
  NO_STORE_HEADER,
} from '../openapi/api-responses.js';
import { RecordedVisitDto, VisitNowDto, VisitsSummaryDto } from './dto/visit.dto.js';
import { QueryLimit } from './limit.pipe.js';
import { isPrefetch } from './prefetch.js';
import { isoInZone, PAGE_RECENT, visitPage } from './visit-page.js';
import { VisitsService, type RecordedVisit, type VisitsSummary } from './visits.service.js';

/** GET / as JSON: the visit, when it was answered (UTC), and the same instant in TIMEZONE. */
export interface VisitNow extends RecordedVisit {
  readonly time: string;
  readonly localTime: string;
  readonly timezone: string;
}

/**
 * Every answer here records or shows a count, so none may be stored by a browser or a proxy and
 * shown again later (`Cache-Control: no-store`, errors included).
 */
@ApiTags('visits')
@ApiExtraModels(VisitNowDto)
@Controller()
export class VisitsController {
  constructor(
    @Inject(VisitsService) private readonly visits: VisitsService,
    @Inject(FleetService) private readonly fleet: FleetService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A visit by a person: JSON, or a page for browsers. A browser's prefetch is refused (403)
   * rather than counted: browsers keep only a 2xx prefetch, so they discard this one and send the
   * request again when the page is really opened, which counts. (Answering the page without
   * counting would be kept and shown for that navigation, which would then count nothing.)
   */
  @Get()
  @ApiOperation({
    operationId: 'visit',
    summary: 'Record a visit and show it',
    description:
      "Records a visit (it is on disk before the answer) and answers JSON, or a page when the client prefers `text/html` (a browser): the count, the latest visits and the fleet's counts. `HEAD /` answers the same headers without recording a visit (link checkers, uptime monitors). A browser prefetch (`Sec-Purpose: prefetch`, `Purpose: prefetch`, `X-Moz: prefetch`, `X-Purpose: preview`) records nothing and gets `403`; the browser then counts the visit when the page is really opened.",
  })
  @ApiOkResponse({
    description: 'The visit was recorded. The answer varies on `Accept`.',
    headers: NO_STORE_HEADER,
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
        example: '<!doctype html>\n<html lang="en">…</html>\n',
      },
    },
  })
  @ApiErrorResponse(
    403,
    'A browser prefetch: nothing was recorded. The browser drops it and sends the request again when the page is really opened, which records the visit.',
    'a prefetch records no visit: the visit is counted when the page is opened',
  )
  @ApiStoreRefusals()
  @Header('Cache-Control', 'no-store')
  async root(
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | VisitNow> {
    if (request.method !== 'HEAD' && isPrefetch(request.headers)) {
      throw new ForbiddenException(
        'a prefetch records no visit: the visit is counted when the page is opened',
      );
    }
    // HEAD is a safe method (link checkers, uptime monitors): it answers without counting a visit.
    const head = request.method === 'HEAD';
    const visit = head
      ? { pod: this.visits.pod, count: this.visits.count }
      : await this.visits.record();
    void reply.header('Vary', 'Accept');
    const now = new Date();
    if (wantsHtml(accept)) {
      void reply.type('text/html; charset=utf-8');
      return visitPage({
        ...visit,
        now,
        timeZone: this.config.timeZone,
        recent: this.visits.recentTimes(PAGE_RECENT),
        // HEAD gets the headers only: no reason to ask the other pods for it.
        fleet: head ? undefined : await this.fleet.snapshot(),
      });
    }
    const body: VisitNow = {
      ...visit,
      time: now.toISOString(),
      localTime: isoInZone(now, this.config.timeZone),
      timezone: this.config.timeZone,
    };
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
    headers: NO_STORE_HEADER,
    example: { pod: 'visits-0', count: 42 },
  })
  @ApiBodyRefusals()
  @ApiStoreRefusals()
  @Header('Cache-Control', 'no-store')
  record(): Promise<RecordedVisit> {
    return this.visits.record();
  }

  /** This pod's count and recent visits; the readiness header is what the fleet view reads. */
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
    headers: {
      ...NO_STORE_HEADER,
      [READY_HEADER]: {
        required: true,
        description:
          '`true` when this pod takes visits (its store is open, no shutdown has begun), else `false`. The fleet view reads it from each peer.',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    },
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
  @Header('Cache-Control', 'no-store')
  summary(
    @QueryLimit() limit: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): VisitsSummary {
    void reply.header(READY_HEADER, this.fleet.ready ? 'true' : 'false');
    return this.visits.summary(limit);
  }
}

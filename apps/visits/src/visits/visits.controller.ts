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
import { READY_HEADER } from '@stateful-visits/visits-contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { wantsHtml } from '../fleet/fleet.controller.js';
import { FleetService } from '../fleet/fleet.service.js';
import { QueryLimit } from './limit.pipe.js';
import { isPrefetch } from './prefetch.js';
import { isoInZone, PAGE_RECENT, visitPage } from './visit-page.js';
import { VisitsService, type RecordedVisit, type VisitsSummary } from './visits.service.js';

/**
 * Every answer here records or shows a count, so none may be stored by a browser or a proxy and
 * shown again later (`Cache-Control: no-store`, errors included).
 */
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
  @Header('Cache-Control', 'no-store')
  async root(
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | (RecordedVisit & { time: string; timezone: string })> {
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
    return { ...visit, time: isoInZone(now, this.config.timeZone), timezone: this.config.timeZone };
  }

  @Post('visits')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  record(): Promise<RecordedVisit> {
    return this.visits.record();
  }

  /** This pod's count and recent visits; the readiness header is what the fleet view reads. */
  @Get('visits')
  @Header('Cache-Control', 'no-store')
  summary(
    @QueryLimit() limit: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): VisitsSummary {
    void reply.header(READY_HEADER, this.fleet.ready ? 'true' : 'false');
    return this.visits.summary(limit);
  }
}

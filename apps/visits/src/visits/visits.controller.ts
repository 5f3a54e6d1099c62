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
import type { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { QueryLimit } from './limit.pipe.js';
import { isPrefetch } from './prefetch.js';
import { isoInZone, visitPage } from './visit-page.js';
import { VisitsService, type RecordedVisit, type VisitsSummary } from './visits.service.js';

/**
 * Every answer here records or shows a count, so none may be stored by a browser or a proxy and
 * shown again later (`Cache-Control: no-store`, errors included).
 */
@Controller()
export class VisitsController {
  constructor(
    @Inject(VisitsService) private readonly visits: VisitsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A visit by a person: JSON, or a small page for browsers. A browser's prefetch is refused (403)
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
    const visit =
      request.method === 'HEAD'
        ? { pod: this.visits.pod, count: this.visits.count }
        : await this.visits.record();
    const body = {
      ...visit,
      time: isoInZone(new Date(), this.config.timeZone),
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
  @Header('Cache-Control', 'no-store')
  record(): Promise<RecordedVisit> {
    return this.visits.record();
  }

  @Get('visits')
  @Header('Cache-Control', 'no-store')
  summary(@QueryLimit() limit: number | undefined): VisitsSummary {
    return this.visits.summary(limit);
  }
}

import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { FLEET_PATH } from '@stateful-visits/visits-contract';
import type { FastifyReply } from 'fastify';
import Negotiator from 'negotiator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { fleetPage } from './fleet-page.js';
import type { FleetSnapshot } from './fleet.types.js';
import { FleetService } from './fleet.service.js';

/** Whether the client would rather have HTML than JSON (a browser). */
export function wantsHtml(accept: string | undefined): boolean {
  return (
    new Negotiator({ headers: { accept } }).mediaType(['application/json', 'text/html']) ===
    'text/html'
  );
}

/** Every pod and its count: never a visit, not in the access log. */
@Controller()
export class FleetController {
  constructor(
    @Inject(FleetService) private readonly fleet: FleetService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(FLEET_PATH)
  @Header('Cache-Control', 'no-store')
  async get(
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FleetSnapshot | string> {
    const snapshot = await this.fleet.snapshot();
    void reply.header('Vary', 'Accept');
    if (!wantsHtml(accept)) return snapshot;
    void reply.type('text/html; charset=utf-8');
    return fleetPage(snapshot, this.config.podName);
  }
}

import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FLEET_PATH } from '@stateful-visits/visits-contract';
import type { FastifyReply } from 'fastify';
import Negotiator from 'negotiator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { NO_STORE_HEADER } from '../openapi/api-responses.js';
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
@ApiTags('fleet')
@Controller()
export class FleetController {
  constructor(
    @Inject(FleetService) private readonly fleet: FleetService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(FLEET_PATH)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'fleet',
    summary: 'Every pod and its count',
    description:
      'Asks every pod of the set (FLEET_DNS or FLEET_PEERS) for its count, live, each within FLEET_TIMEOUT_MS; answers within twice that. Records nothing. JSON, or the chart as HTML when the client prefers `text/html`.',
  })
  @ApiOkResponse({
    description:
      'The pods and their counts. A pod that did not answer has `count: null` and `error`, and makes `complete` false. The answer varies on `Accept`.',
    headers: NO_STORE_HEADER,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/Fleet' },
        example: {
          pods: [
            { pod: 'visits-0', count: 42, self: true, ready: true },
            { pod: 'visits-1', address: '10.0.0.8:3000', count: 17, self: false, ready: true },
          ],
          total: 59,
          complete: true,
          source: { via: 'dns', name: 'visits-headless.visits.svc.cluster.local' },
          askedAt: '2026-12-03T08:40:34.700Z',
        },
      },
      'text/html': {
        schema: { type: 'string' },
        example: '<!doctype html>\n<html lang="en">…</html>\n',
      },
    },
  })
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

import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { HEALTH_PATHS } from '@stateful-visits/visits-contract';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

/** Probes never count as visits (one reference deployment probed `/` and inflated every count). */
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(VisitStoreHealthIndicator) private readonly store: VisitStoreHealthIndicator,
  ) {}

  /** The process answers: the event loop runs. Restarting would not fix anything else. */
  @Get(HEALTH_PATHS.live)
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  live() {
    return this.health.check([]);
  }

  /**
   * Send visits here: no shutdown has begun, the store is writable, and its volume answers with
   * room for the next journal.
   */
  @Get(HEALTH_PATHS.ready)
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  ready() {
    return this.health.check([
      () => this.store.accepting(),
      () => this.store.writable(),
      () => this.store.volume(),
    ]);
  }

  /** The store has finished opening and recovery. */
  @Get(HEALTH_PATHS.startup)
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  startup() {
    return this.health.check([() => this.store.opened()]);
  }
}

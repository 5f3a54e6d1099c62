import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HEALTH_PATHS } from '@stateful-visits/visits-contract';
import { ApiHealthResponses, healthExample } from '../openapi/health-report.js';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

/** Readiness when it is up, for the description. */
const READY_CHECKS = {
  lifecycle: { status: 'up' },
  store: { status: 'up' },
  volume: { status: 'up', freeBytes: 1073741824, requiredBytes: 4194304 },
};

/** Probes never count as visits (one reference deployment probed `/` and inflated every count). */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(VisitStoreHealthIndicator) private readonly store: VisitStoreHealthIndicator,
  ) {}

  /** The process answers: the event loop runs. Restarting would not fix anything else. */
  @Get(HEALTH_PATHS.live)
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'live', summary: 'Liveness: the process answers' })
  @ApiHealthResponses(healthExample({}))
  live() {
    return this.health.check([]);
  }

  /**
   * Send visits here: no shutdown has begun, the store is writable, and its volume answers with
   * room for the next journal.
   */
  @Get(HEALTH_PATHS.ready)
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'ready',
    summary: 'Readiness: send visits here',
    description:
      'No shutdown has begun, the store is open and its last write succeeded, and its volume answers with room for the next journal.',
  })
  @ApiHealthResponses(
    healthExample(READY_CHECKS),
    healthExample(
      { store: READY_CHECKS.store, volume: READY_CHECKS.volume },
      { lifecycle: { status: 'down', reason: 'shutting down' } },
    ),
  )
  ready() {
    return this.health.check([
      () => this.store.accepting(),
      () => this.store.writable(),
      () => this.store.volume(),
    ]);
  }

  /** The store has finished opening and recovery. */
  @Get(HEALTH_PATHS.startup)
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'startup',
    summary: 'Startup: the store has finished opening and recovery',
  })
  @ApiHealthResponses(
    healthExample({ store: { status: 'up', count: 42 } }),
    healthExample({}, { store: { status: 'down', reason: 'the store is closed' } }),
  )
  startup() {
    return this.health.check([() => this.store.opened()]);
  }
}

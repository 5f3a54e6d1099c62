import { HttpException, Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

/** A probe's answer: 200 with terminus' report, or 503 with the report of what failed and why. */
export interface ProbeAnswer {
  readonly statusCode: 200 | 503;
  readonly body: HealthCheckResult;
}

/**
 * The three probes, served on the ops port only (src/ops). Probes never count as visits (one
 * reference deployment probed `/` and inflated every count). A failed readiness report names the
 * cause, files included: the ops port is not reachable through the client Service.
 */
@Injectable()
export class HealthProbes {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(VisitStoreHealthIndicator) private readonly store: VisitStoreHealthIndicator,
  ) {}

  /** The process answers: the event loop runs. Restarting would not fix anything else. */
  live(): Promise<ProbeAnswer> {
    return this.answer(this.health.check([]));
  }

  /**
   * Send visits here: no shutdown has begun, the store is writable, and its volume answers with
   * room for the next journal.
   */
  ready(): Promise<ProbeAnswer> {
    return this.answer(
      this.health.check([
        () => this.store.accepting(),
        () => this.store.writable(),
        () => this.store.volume(),
      ]),
    );
  }

  /** The store has finished opening and recovery. */
  startup(): Promise<ProbeAnswer> {
    return this.answer(this.health.check([() => this.store.opened()]));
  }

  /** terminus rejects a failed check with a 503 whose response is the report. */
  private async answer(check: Promise<HealthCheckResult>): Promise<ProbeAnswer> {
    try {
      return { statusCode: 200, body: await check };
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 503) {
        return { statusCode: 503, body: error.getResponse() as HealthCheckResult };
      }
      throw error;
    }
  }
}

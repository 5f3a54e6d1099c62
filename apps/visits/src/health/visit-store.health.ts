import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { VisitStore, lowSpaceReason, type VolumeReading } from '../store/visit-store.js';

/**
 * Past the volume check's own timeout (when it reports the volume unresponsive), terminus's: only
 * a backstop, should the check itself ever fail to answer.
 */
const VOLUME_BACKSTOP_MS = 1000;

@Injectable()
export class VisitStoreHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(VisitStore) private readonly store: VisitStore,
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
  ) {}

  /** The store finished opening (recovery included). */
  opened() {
    const indicator = this.indicators.check('store');
    const { status } = this.store.health();
    return status === 'closed'
      ? indicator.down({ reason: 'the store is closed' })
      : indicator.up({ count: this.store.count });
  }

  /** The store takes visits: open, and its last write succeeded. */
  writable() {
    const indicator = this.indicators.check('store');
    const { status, reason } = this.store.health();
    return status === 'open'
      ? indicator.up()
      : indicator.down({ store: status, reason: reason ?? `the store is ${status}` });
  }

  /**
   * The data volume answers and has room for the next journal. The statfs behind it is shared
   * and bounded in the store (store/volume-space.ts): at most one in flight, waited for at most
   * its timeout, an answer reused for a second. (terminus's own cacheFor would not do: after its
   * TTL it would start a second statfs while the first still hangs, and then a third…)
   */
  volume() {
    const { volume } = this.store;
    return this.indicators
      .check('volume')
      .attempt(async () => {
        const reading = await volume.check();
        if (reading.state === 'measured' && !reading.low) {
          return { freeBytes: reading.freeBytes, requiredBytes: reading.requiredBytes };
        }
        throw new Error(volumeProblem(reading, this.store.journalCapacity));
      })
      .withTimeout(volume.timeoutMs + VOLUME_BACKSTOP_MS);
  }

  accepting() {
    const indicator = this.indicators.check('lifecycle');
    return this.lifecycle.shuttingDown
      ? indicator.down({ reason: 'shutting down' })
      : indicator.up();
  }
}

/** Why readiness is down for the volume. */
function volumeProblem(reading: VolumeReading, journalBytes: number): string {
  switch (reading.state) {
    case 'measured':
      return lowSpaceReason(reading, journalBytes);
    case 'unresponsive':
      return (
        `the data volume is unresponsive: its free-space check (statfs) has waited ${reading.pendingMs} ms ` +
        `(limit ${reading.timeoutMs} ms); a hung network file system or CSI driver?`
      );
    case 'unreadable':
      return `cannot read the free space of the data volume: ${reading.problem}`;
  }
}

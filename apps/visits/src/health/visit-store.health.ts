import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { DEFAULT_JOURNAL_CAPACITY, VisitStore } from '../store/visit-store.js';

/** Free space the store needs to write its next journal (the next compaction), with room to spare. */
export const MIN_FREE_BYTES = 4 * DEFAULT_JOURNAL_CAPACITY;

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

  /** The store takes visits: open, its last write succeeded, and its volume has room. */
  async writable() {
    const indicator = this.indicators.check('store');
    const { status, reason } = this.store.health();
    if (status !== 'open')
      return indicator.down({ store: status, reason: reason ?? `the store is ${status}` });
    let free: number;
    try {
      free = await this.store.freeBytes();
    } catch (error) {
      return indicator.down({
        reason: `cannot read free space of the data volume: ${String(error)}`,
      });
    }
    if (free < MIN_FREE_BYTES) {
      return indicator.down({
        reason: `the data volume is nearly full (${free} bytes free, ${MIN_FREE_BYTES} needed)`,
      });
    }
    return indicator.up({ freeBytes: free });
  }

  accepting() {
    const indicator = this.indicators.check('lifecycle');
    return this.lifecycle.shuttingDown
      ? indicator.down({ reason: 'shutting down' })
      : indicator.up();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { VisitStore } from '../store/visit-store.js';
import { discoveryFor } from './discovery.js';
import { Fleet } from './fleet.js';
import type { FleetSnapshot } from './fleet.types.js';
import { isOwnAddress } from './self-address.js';

/** Nest's handle on the framework-free Fleet, with this pod read from its own store. */
@Injectable()
export class FleetService {
  private readonly fleet: Fleet;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(VisitStore) private readonly store: VisitStore,
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
  ) {
    const { discovery, timeoutMs } = config.fleet;
    const listen = { host: config.host, port: config.port };
    this.fleet = new Fleet({
      discovery: discoveryFor(discovery, timeoutMs),
      timeoutMs,
      isSelf: (target) => isOwnAddress(target, listen),
      self: () => ({ pod: config.podName, count: store.count, ready: this.ready }),
    });
  }

  /**
   * Whether this pod takes visits: its store is open (not degraded or failed) and no shutdown has
   * begun. What /health/ready checks, but for the volume's free space (a statfs, kept off reads).
   */
  get ready(): boolean {
    return this.store.status === 'open' && !this.lifecycle.shuttingDown;
  }

  snapshot(): Promise<FleetSnapshot> {
    return this.fleet.snapshot();
  }
}

import { Injectable } from '@nestjs/common';
import { METRIC_NAMES } from '@stateful-visits/visits-contract';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VolumeMetrics } from './volume.metrics.js';

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so each
 * app instance, in tests too, has exactly its own figures. No pod label: Prometheus adds the target's.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly visitsRecorded = new Counter({
    name: METRIC_NAMES.visitsRecorded,
    help: 'Visits this process recorded (acknowledged after they reached the disk).',
    registers: [this.registry],
  });

  private storeCountSource: () => number = () => 0;

  readonly storeCount: Gauge = new Gauge({
    name: METRIC_NAMES.storeCount,
    help: "The visit count persisted in this pod's store.",
    registers: [this.registry],
    collect: (): void => this.storeCount.set(this.storeCountSource()),
  });

  readonly syncDuration = new Histogram({
    name: METRIC_NAMES.syncDuration,
    help: 'Time to write and fdatasync one batch of visits.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: METRIC_NAMES.batchSize,
    help: 'Visits committed together in one write and sync (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'HTTP request duration by method, route and status code (health and metrics routes excluded).',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** The data volume's gauges (volume.metrics.ts). */
  readonly volume = new VolumeMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The gauge reads the store's count at scrape time. */
  trackStoreCount(source: () => number): void {
    this.storeCountSource = source;
  }

  recordCommit(visits: number, syncSeconds: number): void {
    this.visitsRecorded.inc(visits);
    this.batchSize.observe(visits);
    this.syncDuration.observe(syncSeconds);
  }
}

import { Injectable } from '@nestjs/common';
import {
  HTTP_METHOD_LABELS,
  METRIC_NAMES,
  STORE_STATES,
  WRITE_OPERATIONS,
  type StoreStateName,
  type WriteOperation,
} from '@stateful-visits/visits-contract';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VolumeMetrics } from './volume.metrics.js';
import { BUILD_INFO } from '../version/build-info.js';

/**
 * prom-client's gauges named like counters, which `promtool check metrics` flags. Each is the sum
 * of a per-type gauge that stays (`nodejs_active_handles` etc.): `sum(nodejs_active_handles)` is
 * the same figure. docs/contract.md says so.
 */
export const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

type MethodLabel = (typeof HTTP_METHOD_LABELS)[number];
const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHOD_LABELS.filter((m) => m !== 'other'));

/** The `method` label of a request: one of the methods the service answers, or `other`. */
export function methodLabel(method: string): MethodLabel {
  return KNOWN_METHODS.has(method) ? (method as MethodLabel) : 'other';
}

/** What the store gauges read at scrape time. */
export interface StoreFigures {
  readonly count: number;
  readonly status: StoreStateName;
}

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

  /** Until the store is open: nothing stored, and the store opening. */
  private store: () => StoreFigures = () => ({ count: 0, status: 'opening' });

  readonly stored: Gauge = new Gauge({
    name: METRIC_NAMES.stored,
    help: "The visit count persisted in this pod's store.",
    registers: [this.registry],
    collect: (): void => this.stored.set(this.store().count),
  });

  readonly storeState: Gauge<'state'> = new Gauge({
    name: METRIC_NAMES.storeState,
    help: "The store's state: 1 for the current one, 0 for the others (docs/architecture.md).",
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: (): void => {
      const current = this.store().status;
      for (const state of STORE_STATES) this.storeState.set({ state }, state === current ? 1 : 0);
    },
  });

  readonly writeFailures = new Counter({
    name: METRIC_NAMES.writeFailures,
    help: 'Journal writes or syncs that failed, by operation: commit (a batch of visits) or compaction (a new journal).',
    labelNames: ['operation'] as const,
    registers: [this.registry],
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

  readonly buildInfo = new Gauge({
    name: METRIC_NAMES.buildInfo,
    help: 'Always 1; its labels are the version and git revision this process was built from.',
    labelNames: ['version', 'revision'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'Service-port request duration by method (GET, HEAD, POST, OPTIONS or other), route and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** The data volume's gauges (volume.metrics.ts). */
  readonly volume = new VolumeMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const name of DROPPED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.buildInfo.set({ version: BUILD_INFO.version, revision: BUILD_INFO.revision }, 1);
    // Both operations from the start: increase() and rate() need a series before the first failure.
    for (const operation of WRITE_OPERATIONS) this.writeFailures.inc({ operation }, 0);
  }

  /** The store gauges read the store's count and state at scrape time. */
  trackStore(source: () => StoreFigures): void {
    this.store = source;
  }

  recordCommit(visits: number, syncSeconds: number): void {
    this.visitsRecorded.inc(visits);
    this.batchSize.observe(visits);
    this.syncDuration.observe(syncSeconds);
  }

  recordWriteFailure(operation: WriteOperation): void {
    this.writeFailures.inc({ operation });
  }
}

import { METRIC_NAMES } from '@stateful-visits/visits-contract';
import { Gauge, type Registry } from 'prom-client';
import type { VolumeFacts } from '../store/visit-store.js';

/** What the volume gauges read: the store's free-space check (store/volume-space.ts). */
export interface VolumeSource {
  /** Cached, single-flight and bounded by its timeout: cheap to call on every scrape. */
  check(): Promise<unknown>;
  facts(): VolumeFacts;
}

/**
 * The data volume's gauges, read at scrape time: free bytes, the free bytes readiness requires,
 * and whether the pod is not ready for lack of space (free < required). Alerts compare the first
 * two (VisitsStoreVolumeFull). Before the first answer from the volume, free bytes are NaN, which
 * compares false, rather than a 0 that would claim the volume is full.
 */
export class VolumeMetrics {
  private source: VolumeSource | undefined;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string, read: (facts: VolumeFacts) => number) => {
      const metric: Gauge = new Gauge({
        name,
        help,
        registers: [registry],
        collect: async (): Promise<void> => {
          if (this.source === undefined) return;
          await this.source.check();
          metric.set(read(this.source.facts()));
        },
      });
      return metric;
    };
    gauge(
      METRIC_NAMES.volumeFreeBytes,
      'Free bytes on the data volume at the last free-space check.',
      (facts) => facts.freeBytes ?? Number.NaN,
    );
    gauge(
      METRIC_NAMES.volumeRequiredBytes,
      'Free bytes readiness requires: the next journal (a compaction writes it) and a margin.',
      (facts) => facts.requiredBytes,
    );
    gauge(
      METRIC_NAMES.volumeLow,
      'Whether the pod is not ready for lack of space on its data volume (1) or not (0).',
      (facts) => (facts.low ? 1 : 0),
    );
  }

  /** The store's volume check, once the store is open. */
  track(source: VolumeSource): void {
    this.source = source;
  }
}

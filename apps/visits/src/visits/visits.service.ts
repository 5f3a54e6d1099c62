import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../core.module.js';
import { storeErrorToHttp } from '../http/store-error-status.js';
import { VisitStore } from '../store/visit-store.js';

export interface RecordedVisit {
  readonly pod: string;
  readonly count: number;
}

export interface VisitsSummary extends RecordedVisit {
  readonly recent: string[];
}

@Injectable()
export class VisitsService {
  constructor(
    @Inject(VisitStore) private readonly store: VisitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get pod(): string {
    return this.config.podName;
  }

  /** The count on disk, without recording a visit. */
  get count(): number {
    return this.store.count;
  }

  /** Resolves once the visit is on disk; a store failure is answered by STORE_ERROR_STATUS. */
  async record(): Promise<RecordedVisit> {
    try {
      return { pod: this.config.podName, count: await this.store.record() };
    } catch (error) {
      throw storeErrorToHttp(error);
    }
  }

  /** The count and the `limit` most recent visits (RECENT_VISITS when not given), newest first. */
  summary(limit = this.config.recentVisits): VisitsSummary {
    return { pod: this.config.podName, count: this.store.count, recent: this.recentIso(limit) };
  }

  /** The `limit` most recent visit times (ms since the epoch), newest first. */
  recentTimes(limit: number): number[] {
    return this.store.recent(limit);
  }

  // Formatting timestamps dominated GET /visits; while the count stands still, reads reuse them.
  private recentCache = { count: -1, iso: [] as string[] };

  private recentIso(limit: number): string[] {
    const count = this.store.count;
    if (this.recentCache.count !== count) {
      const iso = this.store.recent().map((ms) => new Date(ms).toISOString());
      this.recentCache = { count, iso };
    }
    return this.recentCache.iso.slice(0, limit);
  }
}

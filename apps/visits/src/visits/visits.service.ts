import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  InternalServerErrorException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { MAX_RECENT, VisitStore } from '../store/visit-store.js';
import { CountLimitError, StoreClosedError, StoreWriteError } from '../store/store.errors.js';

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

  /** Resolves once the visit is on disk; a store failure becomes a 503 with nothing acknowledged. */
  async record(): Promise<RecordedVisit> {
    try {
      return { pod: this.config.podName, count: await this.store.record() };
    } catch (error) {
      throw toHttpError(error);
    }
  }

  summary(limitParam: unknown): VisitsSummary {
    const limit = parseLimit(limitParam, this.config.recentVisits);
    return { pod: this.config.podName, count: this.store.count, recent: this.recentIso(limit) };
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

function parseLimit(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) > MAX_RECENT) {
    throw new BadRequestException(
      `limit must be a whole number from 0 to ${MAX_RECENT}, given once (got ${JSON.stringify(value)})`,
    );
  }
  return Number(value);
}

// The store's own messages name files and the data directory: they go to the log (the store logs
// each failure once) and to the readiness report, not to every client.
function toHttpError(error: unknown): HttpException {
  if (error instanceof StoreClosedError) {
    return new ServiceUnavailableException(
      'the visit was not recorded: this replica is shutting down; retry, another replica will take it',
    );
  }
  if (error instanceof StoreWriteError) {
    return new ServiceUnavailableException(
      error.fatal
        ? "the visit was not recorded: a write to this replica's volume failed and the replica is restarting; retry shortly or on another replica"
        : 'the visit was not recorded: this replica cannot write to its volume right now (its log and /health/ready say why); retry shortly or on another replica',
    );
  }
  if (error instanceof CountLimitError) {
    return new HttpException(
      {
        statusCode: HttpStatus.INSUFFICIENT_STORAGE,
        error: 'Insufficient Storage',
        message: error.message,
      },
      HttpStatus.INSUFFICIENT_STORAGE,
    );
  }
  return new InternalServerErrorException('the visit was not recorded');
}

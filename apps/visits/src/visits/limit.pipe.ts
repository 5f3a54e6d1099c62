import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { MAX_RECENT } from '../store/visit-store.js';

/**
 * `?limit=` of GET /visits: a whole number from 0 to MAX_RECENT, given at most once. Absent, it is
 * undefined (the service's default applies).
 */
@Injectable()
export class ParseLimitPipe implements PipeTransform<unknown, number | undefined> {
  transform(value: unknown): number | undefined {
    if (value === undefined) return undefined;
    // At most 7 digits before Number(): a 20-digit limit must not round into range.
    if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) > MAX_RECENT) {
      throw new BadRequestException(
        `limit must be a whole number from 0 to ${MAX_RECENT}, given once (got ${JSON.stringify(value)})`,
      );
    }
    return Number(value);
  }
}

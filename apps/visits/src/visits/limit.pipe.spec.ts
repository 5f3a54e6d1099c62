import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT } from '../store/visit-store.js';
import { ParseLimitPipe } from './limit.pipe.js';

describe('ParseLimitPipe', () => {
  const sut = new ParseLimitPipe();

  it('leaves an absent limit to the default', () => {
    expect(sut.transform(undefined)).toBeUndefined();
  });

  it.each([
    ['0', 0],
    ['7', 7],
    ['007', 7],
    [String(MAX_RECENT), MAX_RECENT],
  ])('reads limit=%s as %i', (value, expected) => {
    expect(sut.transform(value)).toBe(expected);
  });

  it.each([
    ['-1', '"-1"'],
    ['1e3', '"1e3"'],
    ['2.5', '"2.5"'],
    ['', '""'],
    [' 1', '" 1"'],
    [String(MAX_RECENT + 1), `"${MAX_RECENT + 1}"`],
    ['99999999999999999999', '"99999999999999999999"'],
    [['1', '2'], '["1","2"]'],
  ])('refuses limit=%j, naming the range and what it got', (value, shown) => {
    expect(() => sut.transform(value)).toThrow(BadRequestException);
    expect(() => sut.transform(value)).toThrow(
      `limit must be a whole number from 0 to ${MAX_RECENT}, given once (got ${shown})`,
    );
  });
});

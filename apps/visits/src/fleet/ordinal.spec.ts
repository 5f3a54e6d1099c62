import { describe, expect, it } from 'vitest';
import { compareByOrdinal } from './ordinal.js';

describe('compareByOrdinal', () => {
  it('puts visits-2 before visits-10, and orders ordinals by value', () => {
    const names = ['visits-10', 'visits-2', 'visits-0', 'visits-1', 'visits-11', 'visits-100'];
    expect([...names].sort(compareByOrdinal)).toEqual([
      'visits-0',
      'visits-1',
      'visits-2',
      'visits-10',
      'visits-11',
      'visits-100',
    ]);
  });

  it('groups by the name before the ordinal', () => {
    const names = ['visits-green-1', 'visits-10', 'visits-green-0', 'visits-2', 'api-3'];
    expect([...names].sort(compareByOrdinal)).toEqual([
      'api-3',
      'visits-2',
      'visits-10',
      'visits-green-0',
      'visits-green-1',
    ]);
  });

  it('orders digit runs longer than a double holds, and leading zeros, consistently', () => {
    expect(compareByOrdinal('p-99999999999999999998', 'p-99999999999999999999')).toBeLessThan(0);
    expect(compareByOrdinal('p-007', 'p-7')).toBeGreaterThan(0);
    expect(compareByOrdinal('p-7', 'p-7')).toBe(0);
    expect(compareByOrdinal('p', 'p-0')).toBeLessThan(0);
  });
});

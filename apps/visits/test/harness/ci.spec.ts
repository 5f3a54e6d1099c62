import { describe, expect, it } from 'vitest';
import { isCi } from './ci.js';

describe('isCi', () => {
  it.each([['true'], ['1'], ['yes'], ['TRUE'], ['github-actions']])('CI=%s is CI', (value) => {
    expect(isCi({ CI: value })).toBe(true);
  });

  // The two copies this replaces disagreed on "FALSE": one answered true.
  it.each([[undefined], [''], ['0'], ['false'], ['FALSE'], [' False ']])(
    'CI=%j is not CI',
    (value) => {
      expect(isCi(value === undefined ? {} : { CI: value })).toBe(false);
    },
  );
});

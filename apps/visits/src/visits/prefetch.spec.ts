import { describe, expect, it } from 'vitest';
import { isPrefetch } from './prefetch.js';

describe('isPrefetch', () => {
  it.each([
    [{ 'sec-purpose': 'prefetch' }],
    [{ 'sec-purpose': 'prefetch;prerender' }],
    [{ 'sec-purpose': 'prefetch;anonymous-client-ip' }],
    [{ 'sec-purpose': ' Prefetch ' }],
    [{ purpose: 'prefetch' }],
    [{ purpose: 'preview' }],
    [{ 'x-purpose': 'preview' }],
    [{ 'x-moz': 'prefetch' }],
  ])('takes %j for a speculative load', (headers) => {
    expect(isPrefetch(headers)).toBe(true);
  });

  it.each([
    [{}],
    [{ 'sec-purpose': '' }],
    [{ 'sec-purpose': 'prefetching' }],
    [{ 'sec-purpose': 'prerender' }],
    [{ purpose: 'navigate' }],
    [{ 'x-moz': 'preview' }],
    [{ 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' }],
  ])('takes %j for someone opening the page', (headers) => {
    expect(isPrefetch(headers)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { requestPath } from './request-path.js';

describe('requestPath', () => {
  it.each([
    ['/visits', '/visits'],
    ['/visits?limit=1', '/visits'],
    ['/', '/'],
    ['/?a=<script>', '/'],
    ['http://example.com/visits?limit=1', '/visits'],
    ['HTTP://example.com:8080/health/live', '/health/live'],
    ['http://example.com', '/'],
    ['http://example.com?x', '/'],
    ['*', '*'],
  ])('%s → %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });
});

import { expect } from 'vitest';
import type { Ended } from './service-process.js';
import { STACK_FRAME, type LogLine } from './service.js';

/**
 * What every refusal to start shares: exit code 1, no stack trace in the output, and exactly one
 * line at `error` level or above, which is `fatal`. Returns that line, for its message.
 */
export function expectRefusal(ended: Ended): LogLine {
  const context = `output:\n${ended.output}`;
  expect(ended.code, context).toBe(1);
  expect(ended.output, context).not.toMatch(STACK_FRAME);
  const bad = ended.lines.filter((l) => l.level === 'fatal' || l.level === 'error');
  expect(bad, context).toHaveLength(1);
  expect(bad[0]!.level, context).toBe('fatal');
  return bad[0]!;
}

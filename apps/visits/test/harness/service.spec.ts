import { describe, expect, it } from 'vitest';
import { isErrorLine, logLines, signalOfStatus } from './service.js';

describe('signalOfStatus', () => {
  it('reads a shell-style status as the signal behind it, as Docker reports a kill', () => {
    expect(signalOfStatus(137)).toBe('SIGKILL');
    expect(signalOfStatus(143)).toBe('SIGTERM');
  });

  it('is null for an ordinary exit', () => {
    expect(signalOfStatus(0)).toBeNull();
    expect(signalOfStatus(1)).toBeNull();
    expect(signalOfStatus(128)).toBeNull();
  });
});

describe('logLines', () => {
  it('keeps the JSON lines and leaves out stderr text and a line cut short', () => {
    const logs = [
      '{"level":"info","msg":"listening"}',
      'intl-probe: Intl.DateTimeFormat built',
      '{"level":60,"msg":"the data directory is in use"}',
      '{"level":"info","msg":"cut sh',
    ].join('\n');
    const lines = logLines(logs);
    expect(lines.map((l) => l.msg)).toEqual(['listening', 'the data directory is in use']);
    expect(lines.filter(isErrorLine).map((l) => l.msg)).toEqual(['the data directory is in use']);
  });
});

import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnBuffer } from './turn-buffer.js';
import { isoTime } from './logger.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (chunk: string) => chunks.push(chunk) };
}

describe('TurnBuffer', () => {
  it('writes the lines of one event-loop turn as one chunk, in order, at the end of the turn', async () => {
    const out = sink();
    const buffer = new TurnBuffer(out);
    buffer.write('a\n');
    buffer.write('b\n');
    buffer.write('c\n');
    expect(out.chunks).toEqual([]);
    await nextTurn();
    expect(out.chunks).toEqual(['a\nb\nc\n']);
    buffer.write('d\n');
    await nextTurn();
    expect(out.chunks).toEqual(['a\nb\nc\n', 'd\n']);
    buffer.end();
  });

  it('writes at once when maxChars are waiting, without waiting for the turn to end', () => {
    const out = sink();
    const buffer = new TurnBuffer(out, 10);
    buffer.write('12345\n');
    expect(out.chunks).toEqual([]);
    buffer.write('67890\n');
    expect(out.chunks).toEqual(['12345\n67890\n']);
    buffer.end();
  });

  it('flush() writes what is waiting and calls back; a failing sink reaches the callback', () => {
    const out = sink();
    const buffer = new TurnBuffer(out);
    buffer.write('x\n');
    let called = 0;
    buffer.flush(() => called++);
    expect(out.chunks).toEqual(['x\n']);
    expect(called).toBe(1);

    const broken = new TurnBuffer({
      write() {
        throw new Error('EPIPE');
      },
    });
    broken.write('y\n');
    let failure: Error | undefined;
    broken.flush((error) => (failure = error));
    expect(failure?.message).toBe('EPIPE');
    buffer.end();
    broken.end();
  });

  it('end() writes what is waiting; an empty buffer writes nothing', async () => {
    const out = sink();
    const buffer = new TurnBuffer(out);
    buffer.end();
    buffer.write('last\n');
    buffer.end();
    await nextTurn();
    expect(out.chunks).toEqual(['last\n']);
  });
});

describe('isoTime', () => {
  it("gives pino's time field, an ISO 8601 timestamp of now", () => {
    const before = Date.now();
    const field = isoTime();
    const after = Date.now();
    const match = /^,"time":"(.+)"$/.exec(field);
    expect(match).not.toBeNull();
    const ms = Date.parse(match![1]!);
    expect(new Date(ms).toISOString()).toBe(match![1]);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('moves on when the clock does', async () => {
    const first = isoTime();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(isoTime()).not.toBe(first);
  });
});

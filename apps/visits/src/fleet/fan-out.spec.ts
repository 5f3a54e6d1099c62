import { describe, expect, it } from 'vitest';
import { fanOut } from './fan-out.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('fanOut', () => {
  it('returns every outcome in the order of the items, failures included', async () => {
    const sut = await fanOut(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new Error('two');
        return n * 10;
      },
      { maxInFlight: 8, signal: new AbortController().signal },
    );
    expect(sut).toEqual([
      { ok: true, value: 10 },
      { ok: false, error: new Error('two'), started: true },
      { ok: true, value: 30 },
    ]);
  });

  it('never has more than maxInFlight items running', async () => {
    let running = 0;
    let most = 0;
    const gates = Array.from({ length: 7 }, () => deferred<void>());
    const done = fanOut(
      gates,
      async (gate) => {
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
        return true;
      },
      { maxInFlight: 3, signal: new AbortController().signal },
    );
    for (const gate of gates) {
      await Promise.resolve();
      gate.resolve();
    }
    expect((await done).every((o) => o.ok)).toBe(true);
    expect(most).toBe(3);
  });

  it('returns as soon as the deadline passes: in-flight items fail, waiting ones were never started', async () => {
    const deadline = new AbortController();
    const never = deferred<string>();
    const signals: AbortSignal[] = [];
    const done = fanOut(
      ['quick', 'hangs', 'waits'],
      (item, signal) => {
        signals.push(signal);
        return item === 'quick' ? Promise.resolve(item) : never.promise;
      },
      { maxInFlight: 1, signal: deadline.signal },
    );
    await new Promise((resolve) => setImmediate(resolve));
    deadline.abort(new Error('deadline'));
    const sut = await done;
    expect(sut).toEqual([
      { ok: true, value: 'quick' },
      { ok: false, error: new Error('deadline'), started: true },
      { ok: false, error: new Error('deadline'), started: false },
    ]);
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('starts nothing when the deadline has already passed', async () => {
    const deadline = new AbortController();
    deadline.abort(new Error('late'));
    let calls = 0;
    const sut = await fanOut([1, 2], async () => ++calls, {
      maxInFlight: 4,
      signal: deadline.signal,
    });
    expect(calls).toBe(0);
    expect(sut).toEqual([
      { ok: false, error: new Error('late'), started: false },
      { ok: false, error: new Error('late'), started: false },
    ]);
  });
});

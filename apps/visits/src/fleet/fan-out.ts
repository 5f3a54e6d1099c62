/** How one item of a fan-out ended. */
export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  /** `started`: false when the deadline passed before the item's turn came. */
  | { readonly ok: false; readonly error: unknown; readonly started: boolean };

export interface FanOutOptions {
  /** At most this many items are worked on at once. */
  readonly maxInFlight: number;
  /** The overall deadline: once aborted, the fan-out returns at once, whatever is still running. */
  readonly signal: AbortSignal;
}

/**
 * Runs `work` for every item, at most `maxInFlight` at a time, and returns each one's outcome in
 * the items' order. When `signal` aborts, items still in flight end with the signal's reason (their
 * work gets the signal to stop) and items not started yet end with `started: false`.
 */
export async function fanOut<T, R>(
  items: readonly T[],
  work: (item: T, signal: AbortSignal) => Promise<R>,
  { maxInFlight, signal }: FanOutOptions,
): Promise<Outcome<R>[]> {
  const outcomes = new Array<Outcome<R> | undefined>(items.length);
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason as Error);
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {}); // observed through the races below

  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) {
      const i = next++;
      try {
        outcomes[i] = { ok: true, value: await Promise.race([work(items[i]!, signal), aborted]) };
      } catch (error) {
        outcomes[i] = { ok: false, error, started: true };
      }
    }
  };
  await Promise.race([
    Promise.all(Array.from({ length: Math.min(maxInFlight, items.length) }, worker)),
    aborted.catch(() => {}),
  ]);
  return items.map(
    (_, i) => outcomes[i] ?? { ok: false, error: signal.reason as unknown, started: i < next },
  );
}

import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A little steady traffic on every route a dashboard panel shows: mostly `POST /visits`, with a
 * `GET /` and a `GET /visits` now and then. Each worker pauses between requests, so the load
 * stays small on a shared machine. Counts answers by status.
 */
export function driveLoad(urls: readonly string[], workersPerUrl = 2, pauseMs = 10) {
  const statuses = new Map<number, number>();
  let running = true;
  const worker = async (url: string) => {
    for (let i = 0; running; i++) {
      const [method, path] =
        i % 10 === 5 ? ['GET', '/'] : i % 10 === 9 ? ['GET', '/visits'] : ['POST', '/visits'];
      try {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { accept: 'application/json' },
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      } catch {
        // the process is gone: the suite's own checks report it
      }
      await sleep(pauseMs);
    }
  };
  const workers = urls.flatMap((url) => Array.from({ length: workersPerUrl }, () => worker(url)));
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

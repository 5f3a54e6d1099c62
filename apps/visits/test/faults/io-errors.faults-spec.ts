import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOf } from '../harness/http.js';
import { VisitLoad } from '../harness/load.js';
import { Random } from './support/random.js';
import { ServiceProcess } from '../harness/service-process.js';
import { STACK_FRAME } from '../harness/service.js';
import { preload } from './support/preloads.js';
import { faultWorkDir } from './support/suite.js';
import { SEED } from './support/settings.js';

const CLIENTS = 64;

// A failed write or fsync of the journal leaves the page cache in an unknown state (after a failed
// fsync Linux may drop the dirty pages and report success next time), so the store never retries:
// it rejects the batch, stops taking visits, and the process exits 1 to be restarted.
describe('I/O errors on the journal under load (injected by a preload, no seam in the service)', () => {
  const random = new Random(SEED ^ 0x10e);
  const figures = { cases: 0, acknowledgedVisitsChecked: 0, rejected503: 0 };

  const workDir = faultWorkDir('io', 'journal I/O errors', () => figures);

  it.each([
    ['fdatasync', 'datasync', 'EIO', /an I\/O error on/],
    ['write', 'write', 'EIO', /an I\/O error on/],
    ['write', 'write', 'ENOSPC', /no space left/],
  ])(
    'a failed journal %s (%s/%s): the batch gets 503, nothing is acknowledged, exit 1, the restart has the last acknowledged count',
    async (_, op, code, reason) => {
      const dataDir = join(workDir(), `${op}-${code}`);
      const after = random.int(10, 300);
      const service = await ServiceProcess.start(dataDir, {
        preload: [preload.ioFaults],
        env: { FAULT_IO_OP: op, FAULT_IO_AFTER: String(after), FAULT_IO_CODE: code },
      });
      const load = new VisitLoad(service.url, CLIENTS);
      const exit = await service.exited;
      await load.stop();

      const context = `output:\n${service.output()}`;
      expect(exit.code, context).toBe(1);
      expect(service.output(), context).toContain('"fault":"injected"');
      expect(service.output(), context).not.toMatch(STACK_FRAME);
      const lines = service.logLines();
      expect(lines, context).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'the visit store stopped after a failed write; restart to re-read the journal',
        }),
      );
      expect(lines, context).toContainEqual(
        expect.objectContaining({ msg: 'stopped', exitCode: 1 }),
      );
      // The visits of the failed batch (and any after it) were answered 503 with a JSON reason.
      expect(load.failed(503), context).toBeGreaterThan(0);
      const body = JSON.parse(load.samples.get(503) ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(body['message']).toMatch(
        /the visit was not recorded: a write to this replica's volume failed and the replica is restarting/,
      );
      // The cause (with file paths) is in the log, not in the answer to every client.
      expect(body['message']).not.toContain(dataDir);
      expect(service.output(), context).toMatch(reason);
      expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);

      // Nothing past the last acknowledged visit reached the journal: the restart has exactly it.
      const restarted = await ServiceProcess.start(dataDir);
      expect(await countOf(restarted.url)).toBe(load.highest);
      expect(load.highest).toBe(load.acknowledged.length);
      expect((await restarted.stop()).code).toBe(0);

      figures.cases++;
      figures.acknowledgedVisitsChecked += load.acknowledged.length;
      figures.rejected503 += load.failed(503);
    },
  );
});

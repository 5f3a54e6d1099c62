import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { recordVisit, recordVisits, countOf, request } from '../harness/http.js';
import { isErrorLine, logLines, logSummary } from '../harness/service.js';
import { type Exited, SERVICE_UID } from './support/replica.js';
import { describeWithDocker } from './support/suite.js';

// Stricter than the harness's STACK_FRAME: a refused start logs no stack, not even inside a JSON line.
const STACK_FRAME = /(^|\\n|\n)\s+at \S/;

/** A refused start: exit 1 once, with one log line that explains, and no stack trace. */
function expectCleanRefusal(exited: Exited, message: RegExp): void {
  const context = `logs:\n${logSummary(exited.logs)}`;
  expect(exited.code, context).toBe(1);
  expect(exited.restartCount, context).toBe(0);
  expect(exited.logs, context).not.toMatch(STACK_FRAME);
  const errors = logLines(exited.logs).filter(isErrorLine);
  expect(errors, context).toHaveLength(1);
  expect(errors[0]?.['msg'], context).toMatch(message);
}

// Every replica in this suite runs the way a restricted pod does (read-only root filesystem, all
// capabilities dropped, no-new-privileges, /tmp as tmpfs); these cases check that it really is
// so, and what happens when the volume is not usable.
describeWithDocker('hardened runtime', 120_000, (_, fixture) => {
  it('serves as uid 10001 with a read-only root, no capabilities and no-new-privileges', async () => {
    const sut = await fixture().startReplica({
      name: 'visits-0',
      data: await fixture().createVolume(),
    });

    const { HostConfig: hostConfig, Config: config } = await sut.inspect();
    expect(hostConfig.ReadonlyRootfs).toBe(true);
    expect(hostConfig.CapDrop).toEqual(['ALL']);
    expect(hostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(config.User).toBe(`${SERVICE_UID}:${SERVICE_UID}`);

    expect((await sut.exec(['id', '-u'])).stdout.trim()).toBe(String(SERVICE_UID));
    expect((await sut.exec(['id', '-g'])).stdout.trim()).toBe(String(SERVICE_UID));
    // PID 1 is node itself (so it receives SIGTERM), running unprivileged.
    const cmdline = (await sut.exec(['cat', '/proc/1/cmdline'])).stdout.split('\0');
    expect(cmdline[0]).toMatch(/(^|\/)node$/);
    const status = (await sut.exec(['cat', '/proc/1/status'])).stdout;
    expect(status).toMatch(
      new RegExp(
        `^Uid:\\s+${SERVICE_UID}\\s+${SERVICE_UID}\\s+${SERVICE_UID}\\s+${SERVICE_UID}$`,
        'm',
      ),
    );
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);

    const write = await sut.exec(['touch', '/app/probe']);
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);

    expect(await recordVisit(sut.url)).toBe(1);
    await vi.waitFor(async () => expect(await sut.countFile()).toBe('1\n'));
  });

  it('a /data it cannot write (a root-owned host directory) stops it once, with a clear log line', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'visits-root-owned-'));
    try {
      await chmod(directory, 0o755); // owned by the test's user (root in CI); not writable by 10001
      const exited = await fixture().runToExit({ name: 'visits-ro', data: directory });
      expectCleanRefusal(exited, /\/data/);
      expect(await readdir(directory)).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('a second container on a volume in use refuses to start; the first keeps serving', async () => {
    const volume = await fixture().createVolume();
    const first = await fixture().startReplica({ name: 'visits-1', data: volume });
    await recordVisits(first.url, 3);

    const second = await fixture().runToExit({ name: 'visits-1', data: volume });
    expectCleanRefusal(second, /in use by another process/);

    expect((await request(`${first.opsUrl}/health/ready`)).status).toBe(200);
    expect(await countOf(first.url)).toBe(3);
    expect(await recordVisit(first.url)).toBe(4);
    await vi.waitFor(async () => expect(await first.countFile()).toBe('4\n'));
  });
});

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { environment, IMAGE_UID } from '@stateful-visits/visits-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../harness/http.js';
import { freePort } from '../harness/ports.js';
import {
  runToExit,
  ServiceProcess,
  type Ended,
  type ProcessOptions,
} from '../harness/service-process.js';
import { STACK_FRAME, type LogLine } from '../harness/service.js';
import { useProcessDir } from './process-dir.js';

const isRoot = process.getuid?.() === 0;

/**
 * What every startup failure must look like: exit code 1, exactly one `fatal` JSON line (no
 * `error` line beside it) whose message says what is wrong, and nothing on stderr — no stack.
 */
function expectOneFatalLine(ended: Ended, msg: RegExp): LogLine {
  const context = `output:\n${ended.output}`;
  expect(ended.code, context).toBe(1);
  expect(ended.stderr, context).not.toMatch(STACK_FRAME);
  expect(ended.stderr, context).toBe('');
  const bad = ended.lines.filter((l) => l.level === 'fatal' || l.level === 'error');
  expect(bad, context).toHaveLength(1);
  expect(bad[0]!.level).toBe('fatal');
  expect(bad[0]!.msg, context).toMatch(msg);
  expect(JSON.stringify(bad[0]), context).not.toMatch(/\n\s+at /);
  return bad[0]!;
}

// The built service (dist/visits.cjs) when it cannot start: each way is one line naming the
// setting to change and what to do (docs/contract.md, "Process").
describe('the built service refusing to start', () => {
  const dir = useProcessDir();
  const exit = (options: ProcessOptions, dataDir = join(dir(), 'data')) =>
    runToExit(dataDir, options);

  describe('PORT and HOST', () => {
    let holder: Server | undefined;
    afterEach(async () => {
      holder?.close();
      holder = undefined;
    });

    it('a port in use: names PORT and says to stop the other process or pick a free port', async () => {
      holder = createServer();
      const port = await freePort();
      holder.listen(port, '127.0.0.1');
      await once(holder, 'listening');
      const line = expectOneFatalLine(
        await exit({ env: { PORT: String(port) } }),
        new RegExp(
          `^PORT ${port} is already in use on "127\\.0\\.0\\.1": .*set PORT to a free port`,
        ),
      );
      expect(line).toMatchObject({ code: 'EADDRINUSE', setting: 'PORT' });
    });

    it('a host that does not resolve: names HOST and what it accepts', async () => {
      const line = expectOneFatalLine(
        await exit({ env: { HOST: 'no-such-host.invalid' } }),
        /^HOST "no-such-host\.invalid" cannot be resolved to an address \(E\w+.*\): set HOST to an IP address of this machine, or to 0\.0\.0\.0/,
      );
      expect(line).toMatchObject({ setting: 'HOST' });
    });

    it("an address that is not this machine's: names HOST", async () => {
      // 192.0.2.0/24 is TEST-NET-1: documentation only, never a local address.
      const line = expectOneFatalLine(
        await exit({ env: { HOST: '192.0.2.1' } }),
        /^HOST "192\.0\.2\.1" is not an address of this machine: set HOST to one of its addresses/,
      );
      expect(line).toMatchObject({ code: 'EADDRNOTAVAIL', setting: 'HOST' });
    });

    it('a HOST that is no address or host name at all: refused with the value echoed', async () => {
      const line = expectOneFatalLine(
        await exit({ env: { HOST: 'http://0.0.0.0:3000' } }),
        /HOST must be an IP address or host name of this machine, .* \(got "http:\/\/0\.0\.0\.0:3000"\)/,
      );
      expect(line['problems']).toHaveLength(1);
    });
  });

  describe('DATA_DIR', () => {
    it('a file: names DATA_DIR and what to do', async () => {
      const file = join(dir(), 'file');
      await writeFile(file, 'x');
      const line = expectOneFatalLine(
        await exit({}, file),
        /is not a directory: point DATA_DIR at a directory/,
      );
      expect(line).toMatchObject({ code: 'DATA_DIR_UNUSABLE', setting: 'DATA_DIR' });
    });

    it('a path through a file: names DATA_DIR', async () => {
      const file = join(dir(), 'file');
      await writeFile(file, 'x');
      expectOneFatalLine(
        await exit({}, join(file, 'data')),
        /a part of .*file\/data is not a directory: point DATA_DIR at a directory/,
      );
    });

    it.skipIf(!isRoot)(
      `a directory this user may not write (as uid ${IMAGE_UID}): names DATA_DIR and how to grant access`,
      async () => {
        const dataDir = join(dir(), 'data');
        await chmod(dir(), 0o755); // the service's user may walk through it, not into data/
        await mkdir(dataDir, { mode: 0o700 });
        const line = expectOneFatalLine(
          await exit({ uid: IMAGE_UID, gid: IMAGE_UID }, dataDir),
          /permission denied on .* \(running as uid 10001 gid 10001\): give this user write access to the data directory, DATA_DIR/,
        );
        expect(line).toMatchObject({ setting: 'DATA_DIR' });
      },
    );
  });

  describe('empty values', () => {
    it('refuses PORT= and DATA_DIR= instead of falling back to the defaults', async () => {
      for (const name of ['PORT', 'DATA_DIR'] as const) {
        const fallback = String(environment[name].default);
        expectOneFatalLine(
          await exit({ env: { [name]: '' } }),
          new RegExp(
            `${name} is set but empty: unset it to use the default \\(${fallback.replace('.', '\\.')}\\), or give it a value`,
          ),
        );
      }
    });

    it('names every variable set but empty, in one line', async () => {
      const env = Object.fromEntries(Object.keys(environment).map((name) => [name, '']));
      const line = expectOneFatalLine(
        await exit({ env }),
        /^invalid configuration: PORT is set but empty/,
      );
      const problems = line['problems'] as string[];
      expect(problems.map((p) => p.split(' ')[0])).toEqual(Object.keys(environment));
      for (const problem of problems) expect(problem).toMatch(/^\w+ is set but empty: unset it/);
    });
  });

  it('starts with TIMEZONE in any case, using and logging the name as the IANA database spells it', async () => {
    const service = await ServiceProcess.start(join(dir(), 'data'), {
      env: { TIMEZONE: 'europe/BERLIN' },
    });
    const home = await request(`${service.url}/`, { headers: { accept: 'application/json' } });
    expect(home.json()).toMatchObject({ timezone: 'Europe/Berlin' });
    expect(service.logLines()).toContainEqual(
      expect.objectContaining({ msg: 'visits service listening', timeZone: 'Europe/Berlin' }),
    );
    expect((await service.stop()).code).toBe(0);
  });
});

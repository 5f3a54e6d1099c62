import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IMAGE_UID as SERVICE_UID } from '@stateful-visits/visits-contract';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCi } from '../harness/ci.js';
import { buildServiceImage, chooseNodeImage, presentIn } from '../harness/image.js';

const run = promisify(execFile);

/** Why the image cannot be checked here (undefined: it can). */
async function dockerSkipReason(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 });
    return undefined;
  } catch (error) {
    return `no Docker engine answers (${String((error as Error).message).split('\n')[0]}); start one with bash scripts/start-docker.sh`;
  }
}

const dockerSkip = await dockerSkipReason();
if (dockerSkip !== undefined) {
  if (isCi()) throw new Error(`The image checks cannot run in CI: ${dockerSkip}`);
  console.warn(`[security] SKIPPING the image checks: ${dockerSkip}`);
}

const docker = async (...args: string[]) =>
  (await run('docker', args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 })).stdout.trim();

describe.skipIf(dockerSkip !== undefined)(
  `security of the image${dockerSkip === undefined ? '' : ` [skipped: ${dockerSkip}]`}`,
  { timeout: 300_000 },
  () => {
    const tag = `stateful-visits/visits:security-${process.pid}`;
    const containers: string[] = [];
    let baseImage: string;
    let built = false;

    beforeAll(async () => {
      baseImage = await chooseNodeImage(presentIn(await getContainerRuntimeClient()));
      await buildServiceImage(tag, { NODE_IMAGE: baseImage });
      built = true;
    }, 600_000);
    afterAll(async () => {
      for (const id of containers) await docker('rm', '-f', id).catch(() => '');
      if (built) await docker('rmi', tag).catch(() => '');
    });

    /**
     * `find <args>` in a throwaway container of `image` (no network, as `user`, else the image's
     * own user): its output lines, sorted. A failing find fails the test.
     */
    async function findInImage(image: string, args: string[], user?: string): Promise<string[]> {
      const as = user === undefined ? [] : ['--user', user];
      const out = await docker(
        'run',
        '--rm',
        '--network',
        'none',
        ...as,
        '--entrypoint',
        'find',
        image,
        ...args,
      );
      return out
        .split('\n')
        .filter((l) => l !== '')
        .sort();
    }

    /** Files with the setuid or setgid bit in an image (as root: every directory is readable). */
    const setuidFiles = (image: string) =>
      findInImage(image, ['/', '-xdev', '-perm', '/6000', '-type', 'f'], '0');

    it('names a numeric, non-root user and has no setuid or setgid file (the base has some)', async () => {
      const user = await docker('image', 'inspect', tag, '--format', '{{.Config.User}}');
      expect(user).toBe(`${SERVICE_UID}:${SERVICE_UID}`);
      const ours = await setuidFiles(tag);
      const base = await setuidFiles(baseImage);
      // The Dockerfile strips the base's bits; were the base clean, this would check nothing.
      expect(base.length).toBeGreaterThan(0);
      expect(ours).toEqual([]);
      console.info(
        `[security] image setuid/setgid files: base=${base.length} image=${ours.length}`,
      );
      // Nothing the service runs from is writable by the service's user.
      expect(await findInImage(tag, ['/app', '-writable'])).toEqual([]);
    });

    it('serves with a read-only root, all capabilities dropped and no-new-privileges', async () => {
      const id = await docker(
        'run',
        '-d',
        '--read-only',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '--tmpfs',
        '/tmp:rw,noexec,nosuid,size=16m',
        '-p',
        '127.0.0.1::3000',
        '-p',
        '127.0.0.1::8081',
        tag,
      );
      containers.push(id);
      const published = async (port: number) =>
        `http://127.0.0.1:${(await docker('port', id, `${port}/tcp`)).split(':').at(-1)}`;
      const url = await published(3000);
      const opsUrl = await published(8081);
      await vi.waitFor(
        async () => expect((await fetch(`${opsUrl}/health/ready`)).status).toBe(200),
        {
          timeout: 30_000,
          interval: 100,
        },
      );
      const res = await fetch(`${url}/visits`, { method: 'POST' });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');

      const status = await docker('exec', id, 'cat', '/proc/1/status');
      expect(status).toMatch(
        new RegExp(
          `^Uid:\\s+${SERVICE_UID}\\s+${SERVICE_UID}\\s+${SERVICE_UID}\\s+${SERVICE_UID}$`,
          'm',
        ),
      );
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^CapBnd:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^Seccomp:\s+2$/m); // Docker's default profile, as RuntimeDefault
      // The root is read-only and a setuid binary grants nothing.
      await expect(docker('exec', id, 'touch', '/app/x')).rejects.toThrow(/Read-only file system/);
      await expect(docker('exec', id, 'mount', '-t', 'tmpfs', 'x', '/mnt')).rejects.toThrow();
    });
  },
);

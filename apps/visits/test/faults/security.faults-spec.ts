import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { inCi, report } from './support/settings.js';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../../..');
const SERVICE_UID = 10001;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v ?? {}) as Obj;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/**
 * The restricted Pod Security profile, as far as this service is concerned: non-root numeric
 * user, read-only root, every capability dropped, no privilege escalation, RuntimeDefault
 * seccomp, no service account token, nothing from the host. (packages/k8s-manifests tests the
 * typed manifests in detail; this checks what is actually rendered and applied.)
 */
function expectRestricted(statefulSet: Obj, where: string): void {
  const pod = obj(obj(obj(statefulSet['spec'])['template'])['spec']);
  const podSecurity = obj(pod['securityContext']);
  expect(pod['automountServiceAccountToken'], where).toBe(false);
  expect(podSecurity['runAsNonRoot'], where).toBe(true);
  expect(podSecurity['runAsUser'], where).toBe(SERVICE_UID);
  expect(podSecurity['runAsGroup'], where).toBe(SERVICE_UID);
  expect(obj(podSecurity['seccompProfile'])['type'], where).toBe('RuntimeDefault');
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace'])
    expect(pod[key], `${where}: ${key}`).not.toBe(true);
  expect(
    list(pod['volumes']).filter((v) => 'hostPath' in v),
    where,
  ).toEqual([]);
  const containers = [...list(pod['initContainers']), ...list(pod['containers'])];
  expect(containers.length, where).toBeGreaterThan(0);
  for (const container of containers) {
    const at = `${where}: container ${String(container['name'])}`;
    const security = obj(container['securityContext']);
    expect(security['allowPrivilegeEscalation'], at).toBe(false);
    expect(security['readOnlyRootFilesystem'], at).toBe(true);
    expect(security['privileged'], at).not.toBe(true);
    expect(security['runAsUser'] ?? podSecurity['runAsUser'], at).not.toBe(0);
    const capabilities = obj(security['capabilities']);
    expect(capabilities['drop'], at).toEqual(['ALL']);
    expect(capabilities['add'] ?? [], at).toEqual([]);
    expect(
      list(container['ports']).filter((p) => 'hostPort' in p),
      at,
    ).toEqual([]);
  }
}

describe('security of the rendered manifests', () => {
  it('the base StatefulSet (k8s/base/stateful-set.yaml) runs restricted', async () => {
    const statefulSet = parse(
      await readFile(resolve(repoRoot, 'k8s/base/stateful-set.yaml'), 'utf8'),
    ) as Obj;
    expect(statefulSet['kind']).toBe('StatefulSet');
    expectRestricted(statefulSet, 'k8s/base');
    const account = parse(
      await readFile(resolve(repoRoot, 'k8s/base/service-account.yaml'), 'utf8'),
    ) as Obj;
    expect(account['automountServiceAccountToken']).toBe(false);
  });

  it.each(['kind', 'production'])(
    'the %s overlay, as kustomize renders it, keeps every setting',
    async (overlay) => {
      let rendered: string;
      try {
        rendered = (
          await run('kubectl', ['kustomize', resolve(repoRoot, 'k8s/overlays', overlay)], {
            maxBuffer: 16 * 1024 * 1024,
          })
        ).stdout;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !inCi()) {
          console.warn('[faults] SKIPPING the overlay check: kubectl is not installed');
          return;
        }
        throw error;
      }
      const docs = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
      const statefulSets = docs.filter((d) => d['kind'] === 'StatefulSet');
      expect(statefulSets).toHaveLength(1);
      expectRestricted(statefulSets[0]!, `k8s/overlays/${overlay}`);
      for (const account of docs.filter((d) => d['kind'] === 'ServiceAccount'))
        expect(account['automountServiceAccountToken']).toBe(false);
    },
  );
});

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
  if (inCi()) throw new Error(`The image checks cannot run in CI: ${dockerSkip}`);
  console.warn(`[faults] SKIPPING the image checks: ${dockerSkip}`);
}

const docker = async (...args: string[]) =>
  (await run('docker', args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 })).stdout.trim();

describe.skipIf(dockerSkip !== undefined)(
  `security of the image${dockerSkip === undefined ? '' : ` [skipped: ${dockerSkip}]`}`,
  { timeout: 300_000 },
  () => {
    const tag = `stateful-visits/visits:faults-${process.pid}`;
    const containers: string[] = [];
    let baseImage: string;
    let built = false;

    beforeAll(async () => {
      baseImage = await docker('image', 'inspect', 'node:24-bookworm-slim').then(
        () => 'node:24-bookworm-slim',
        () => 'stateful-visits/node:24-bookworm-slim',
      );
      await run(
        'docker',
        [
          'build',
          '-q',
          '-f',
          'docker/Dockerfile',
          '--build-arg',
          `NODE_IMAGE=${baseImage}`,
          '-t',
          tag,
          '.',
        ],
        { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
      );
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
      report('image setuid/setgid files', { base: base.length, image: ours.length });
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
        tag,
      );
      containers.push(id);
      const port = (await docker('port', id, '3000/tcp')).split(':').at(-1);
      const url = `http://127.0.0.1:${port}`;
      await vi.waitFor(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), {
        timeout: 30_000,
        interval: 100,
      });
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

interface AuditException {
  readonly advisory: string;
  readonly package: string;
  readonly reason: string;
  /** ISO date after which the exception no longer counts. */
  readonly expires: string;
}

interface AuditReport {
  message?: string;
  error?: unknown;
  vulnerabilities?: Record<
    string,
    { severity: string; via: (string | { url?: string; title?: string; severity?: string })[] }
  >;
}

/** High and critical advisories in an `npm audit --json` report that no exception covers. */
function openFindings(report: AuditReport, exceptions: readonly AuditException[]) {
  const findings = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
    .flatMap(([name, v]) =>
      v.via
        // A string in `via` names another vulnerable package; its own entry is counted there.
        .filter((via) => typeof via === 'object')
        .map((via) => ({ package: name, advisory: via.url ?? '', title: via.title ?? '' })),
    );
  const open = findings.filter(
    (f) => !exceptions.some((e) => e.package === f.package && f.advisory.endsWith(e.advisory)),
  );
  return { findings, open };
}

describe('dependencies', () => {
  it('reads npm audit reports: high and critical count, dated exceptions excuse', () => {
    const sample: AuditReport = {
      vulnerabilities: {
        a: {
          severity: 'high',
          via: [{ url: 'https://github.com/advisories/GHSA-aaaa', title: 'A' }],
        },
        b: { severity: 'critical', via: ['a', { url: 'https://github.com/advisories/GHSA-bbbb' }] },
        c: { severity: 'moderate', via: [{ url: 'https://github.com/advisories/GHSA-cccc' }] },
      },
    };
    const exceptions = [
      { advisory: 'GHSA-aaaa', package: 'a', reason: 'r', expires: '2999-01-01' },
    ];
    expect(openFindings(sample, exceptions)).toEqual({
      findings: [
        { package: 'a', advisory: 'https://github.com/advisories/GHSA-aaaa', title: 'A' },
        { package: 'b', advisory: 'https://github.com/advisories/GHSA-bbbb', title: '' },
      ],
      open: [{ package: 'b', advisory: 'https://github.com/advisories/GHSA-bbbb', title: '' }],
    });
  });

  it('npm audit --omit=dev: no high or critical advisory outside the documented exceptions', async (context) => {
    let json: string;
    try {
      json = (
        await run('npm', ['audit', '--omit=dev', '--json'], {
          cwd: repoRoot,
          maxBuffer: 32 * 1024 * 1024,
          timeout: 120_000,
        })
      ).stdout;
    } catch (error) {
      // npm audit exits 1 when it finds anything; its JSON is still on stdout.
      json = (error as { stdout?: string }).stdout ?? '';
    }
    const result = JSON.parse(
      json === '' ? '{"message":"npm audit printed nothing"}' : json,
    ) as AuditReport;
    if (result.error !== undefined || result.vulnerabilities === undefined) {
      const reason = `the registry's audit endpoint did not answer (${result.message ?? JSON.stringify(result.error)})`;
      if (process.env['AUDIT_REQUIRED'] === '1') throw new Error(reason);
      console.warn(
        `[faults] SKIPPING npm audit: ${reason}; set AUDIT_REQUIRED=1 to make this an error`,
      );
      context.skip();
      return;
    }
    const exceptions = JSON.parse(
      await readFile(resolve(import.meta.dirname, 'audit-exceptions.json'), 'utf8'),
    ) as AuditException[];
    const today = new Date().toISOString().slice(0, 10);
    const expired = exceptions.filter((e) => e.expires < today);
    expect(expired, 'expired audit exceptions: fix, or renew with a reason').toEqual([]);
    const latest = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    const unbounded = exceptions.filter((e) => e.expires > latest || e.reason.trim() === '');
    expect(unbounded, 'an exception needs a reason and expires within 90 days').toEqual([]);
    const { findings, open } = openFindings(result, exceptions);
    expect(
      open,
      'high/critical advisories: upgrade, or add a dated exception (docs/reliability.md)',
    ).toEqual([]);
    report('npm audit', {
      highOrCritical: findings.length,
      excepted: findings.length - open.length,
    });
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the service was built from: reported by GET /version and `visits_build_info`. */
export interface BuildInfo {
  /** The service's package version, or the image's VERSION build argument. */
  readonly version: string;
  /** The git commit (40 hex digits), or `unknown` when the build could not tell. */
  readonly revision: string;
}

export const UNKNOWN_REVISION = 'unknown';

type Env = Readonly<Record<string, string | undefined>>;

const given = (value: string | undefined) => {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' || trimmed === UNKNOWN_REVISION
    ? undefined
    : trimmed;
};

/** The checkout's HEAD, when `dir` is inside a git work tree and git is installed. */
export function gitRevision(dir: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the build information at build time (rolldown.config.js stamps it into dist/visits.cjs):
 * `VISITS_BUILD_VERSION` and `VISITS_BUILD_REVISION` when set (the image build passes its VERSION
 * and REVISION build arguments; the image has no .git), else the version of apps/visits/package.json
 * and the git revision of the checkout.
 */
export function readBuildInfo(env: Env, appDir: URL): BuildInfo {
  const packageJson = JSON.parse(readFileSync(new URL('package.json', appDir), 'utf8')) as {
    version: string;
  };
  return {
    version: given(env['VISITS_BUILD_VERSION']) ?? packageJson.version,
    revision:
      given(env['VISITS_BUILD_REVISION']) ?? gitRevision(fileURLToPath(appDir)) ?? UNKNOWN_REVISION,
  };
}

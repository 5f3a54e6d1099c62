// Runs Debian's promtool (package `prometheus`; scripts/ensure-prometheus.sh installs it).
import { spawnSync } from 'node:child_process';

function findPromtool(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? 'promtool' : undefined;
}

/**
 * `promtool` when it is on PATH. Where it is not, the specs that need it skip with a warning, except
 * in CI (`CI` set), where .ci/run installs it and a missing promtool is an error.
 */
export const promtool = findPromtool();
if (!promtool && process.env['CI']) {
  throw new Error(
    'promtool is not on PATH in CI: run `bash scripts/ensure-prometheus.sh` before the tests',
  );
}
if (!promtool) {
  console.warn(
    'monitoring: promtool not found on PATH; skipping `promtool check rules` and `promtool test rules` ' +
      '(install it with `bash scripts/ensure-prometheus.sh`; CI does)',
  );
}

/** Runs promtool and returns its exit status and everything it printed. */
export function runPromtool(args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool ?? 'promtool', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

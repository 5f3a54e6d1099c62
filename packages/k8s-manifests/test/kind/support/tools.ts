import { CommandError, run } from './run.js';

async function probe(command: string, args: readonly string[]): Promise<string | undefined> {
  try {
    await run(command, args, { timeoutMs: 20_000 });
    return undefined;
  } catch (error) {
    if (error instanceof CommandError && error.code === 'ENOENT')
      return `${command} not found on PATH`;
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `${command} is not usable (${detail})`;
  }
}

/**
 * What the kind suite needs and this machine lacks: one human-readable entry per missing tool.
 * Empty when kind, kubectl and a reachable Docker engine are all there.
 */
export async function missingTools(): Promise<string[]> {
  const [kind, kubectl, docker] = await Promise.all([
    probe('kind', ['version']),
    probe('kubectl', ['version', '--client']),
    probe('docker', ['version', '--format', '{{.Server.Version}}']),
  ]);
  const missing = [kind, kubectl].filter((m): m is string => m !== undefined);
  if (docker !== undefined) {
    missing.push(
      docker.includes('not found on PATH')
        ? 'docker not found on PATH (kind runs its nodes in a Docker engine)'
        : `no Docker engine reachable: ${docker}`,
    );
  }
  return missing;
}

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

const PROBES = {
  kind: ['kind', ['version']],
  kubectl: ['kubectl', ['version', '--client']],
  docker: ['docker', ['version', '--format', '{{.Server.Version}}']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export type Tool = keyof typeof PROBES;

/**
 * Which of these tools this machine lacks: one human-readable entry each. `docker` means a
 * reachable Docker engine (the suite builds the image with it), not only the client.
 */
export async function missingTools(tools: readonly Tool[]): Promise<string[]> {
  const results = await Promise.all(
    tools.map(async (tool) => {
      const [command, args] = PROBES[tool];
      const problem = await probe(command, args);
      if (problem === undefined || tool !== 'docker') return problem;
      return problem.includes('not found on PATH')
        ? 'docker not found on PATH (the suite builds the image with it)'
        : `no Docker engine reachable: ${problem}`;
    }),
  );
  return results.filter((m): m is string => m !== undefined);
}

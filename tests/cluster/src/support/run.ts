import { execFile } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Written to the command's stdin (`kubectl apply -f -`). */
  readonly input?: string;
}

/** A command that exited non-zero, with what it printed. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly stdout: string,
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`\`${command}\` failed (${String(code)}): ${stderr.trim() || stdout.trim()}`);
  }
}

/** Runs a command without a shell and resolves with its stdout. */
export function run(command: string, args: readonly string[], options: RunOptions = {}) {
  const line = [command, ...args].join(' ');
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code ?? null;
          reject(new CommandError(line, stdout, stderr, code));
        } else {
          resolve(stdout);
        }
      },
    );
    // Nothing reads from the terminal: a tool that would prompt (kubectl asking for a
    // password) fails instead of hanging.
    child.stdin?.end(options.input);
  });
}

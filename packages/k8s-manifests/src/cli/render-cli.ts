import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// dist/cli/*.js → the repository root is four levels up.
const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

/** What one generated directory needs for the shared render CLI: where, and how to diff and write it. */
export interface RenderTarget {
  /** The committed directory, relative to the repository root. */
  readonly dir: string;
  /** The command that regenerates it, for the out-of-date message. */
  readonly command: string;
  readonly diff: (out: string) => string[];
  readonly write: (out: string) => { readonly written: string[]; readonly removed: string[] };
  /** The line that reports what was written. */
  readonly summary: (written: readonly string[], out: string) => string;
}

/** `--check` exits 1 when the directory is out of date and writes nothing; otherwise it writes. */
export function runRenderCli(target: RenderTarget): void {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      out: { type: 'string', default: resolve(repoRoot, target.dir) },
    },
  });
  const out = resolve(values.out);
  if (values.check) {
    const problems = target.diff(out);
    if (problems.length > 0) {
      console.error(`${out} is out of date; regenerate it with \`${target.command}\`:`);
      for (const problem of problems) console.error(`  ${problem}`);
      process.exitCode = 1;
    } else {
      console.log(`${out} is up to date`);
    }
    return;
  }
  const { written, removed } = target.write(out);
  for (const path of removed) console.log(`removed ${path}`);
  console.log(target.summary(written, out));
}

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why real mounts cannot be used here (undefined: they can). They need root (CAP_SYS_ADMIN) and a
 * kernel that allows mounts in this namespace; the cases that need them skip with this reason.
 */
export async function mountSkipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return `mounting a tmpfs or a loop device needs root; running as uid ${process.getuid?.()}`;
  const probe = await mkdtemp(join(tmpdir(), 'visits-faults-mount-probe-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    await run('umount', [probe]);
    return undefined;
  } catch (error) {
    return `mount failed: ${String((error as Error).message).trim()}`;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/** An ext4 file system on a loop device, mounted errors=remount-ro like a cloud volume. */
export interface Ext4Volume {
  readonly path: string;
  /** Makes the kernel record a file-system error: it remounts the volume read-only at once. */
  failReadOnly(): Promise<void>;
  /** Unmounts, repairs with e2fsck and mounts it writable again (nothing may hold files open). */
  repair(): Promise<void>;
}

/** Mounts made by a test file; dispose() unmounts all of them, also after a failure. */
export class Mounts {
  private readonly mounted: string[] = [];
  private readonly dirs: string[] = [];

  private async dir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `visits-faults-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  private async mount(args: string[], target: string): Promise<void> {
    await run('mount', [...args, target]);
    this.mounted.push(target);
  }

  /** A tmpfs of `bytes` (rounded up to whole pages by the kernel). */
  async tmpfs(bytes: number): Promise<string> {
    const dir = await this.dir('tmpfs');
    await this.mount(['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs'], dir);
    return dir;
  }

  /** `source` mounted again, read-only, somewhere else (root cannot write through it either). */
  async readOnlyView(source: string): Promise<string> {
    const dir = await this.dir('ro');
    await this.mount(['--bind', source], dir);
    await run('mount', ['-o', 'remount,ro,bind', dir]);
    return dir;
  }

  async ext4(megabytes: number): Promise<Ext4Volume> {
    const dir = await this.dir('ext4');
    const image = join(dir, 'volume.img');
    const path = join(dir, 'mnt');
    await mkdir(path);
    await writeFile(image, '');
    await run('truncate', ['-s', `${megabytes}M`, image]);
    await run('mkfs.ext4', ['-q', '-F', image]);
    const mountIt = () => this.mount(['-o', 'loop,errors=remount-ro', image], path);
    await mountIt();
    return {
      path,
      failReadOnly: async () => {
        const { stdout } = await run('findmnt', ['-n', '-o', 'SOURCE', path]);
        await writeFile(`/sys/fs/ext4/${basename(stdout.trim())}/trigger_fs_error`, '1');
      },
      repair: async () => {
        await this.unmount(path);
        // e2fsck exits 1 when it fixed something: that is the expected outcome here.
        await run('e2fsck', ['-f', '-y', image]).catch((error: { code?: number }) => {
          if (error.code !== 1) throw error;
        });
        await mountIt();
      },
    };
  }

  private async unmount(target: string): Promise<void> {
    await run('umount', [target]).catch(() => run('umount', ['-l', target]));
    this.mounted.splice(this.mounted.lastIndexOf(target), 1);
  }

  async dispose(): Promise<void> {
    for (const target of [...this.mounted].reverse()) await this.unmount(target).catch(() => {});
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Fills the file system holding `dir` to the last byte with files in `dir`; returns a function
 * that removes them again.
 */
export async function fillDisk(dir: string): Promise<() => Promise<void>> {
  const filler = join(dir, 'filler');
  const file = await open(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await file.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await file.close();
  }
  // Whatever is left is smaller than a chunk: take it too, in pieces down to a byte.
  const tail = join(dir, 'filler-tail');
  const rest = await open(tail, 'w');
  try {
    for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
      await rest.write(Buffer.alloc(size, 1)).catch(() => undefined);
    }
  } finally {
    await rest.close();
  }
  return async () => {
    await unlink(filler);
    await unlink(tail);
  };
}

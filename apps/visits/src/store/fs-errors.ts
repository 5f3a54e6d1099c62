/** Turns a file-system error into a sentence that says what happened and what to do about it. */
export function describeFsError(error: unknown, path: string): string {
  const e = error as NodeJS.ErrnoException;
  const who =
    typeof process.getuid === 'function'
      ? `uid ${process.getuid()} gid ${process.getgid?.()}`
      : 'this user';
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return (
        `permission denied on ${path} (running as ${who}): give this user write access to the data ` +
        `directory, DATA_DIR (for example chown -R ${process.getuid?.() ?? 'UID'}:${process.getgid?.() ?? 'GID'} on it, ` +
        'or securityContext.fsGroup in Kubernetes)'
      );
    case 'EROFS':
      return `${path} is on a read-only file system: mount a writable volume as the data directory (DATA_DIR)`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the device holding ${path}: free some space or grow the volume`;
    case 'ENOTDIR':
      return `a part of ${path} is not a directory: point DATA_DIR at a directory`;
    case 'EIO':
      return `an I/O error on ${path}: the disk or volume is failing; check the node's kernel log`;
    case 'ENOENT':
      return `${path} does not exist`;
    default:
      return `${e.code ?? 'error'} on ${path}: ${e.message ?? String(error)}`;
  }
}

/** describeFsError for a failure that makes the data directory unusable: it always names DATA_DIR. */
export function describeDataDirError(error: unknown, path: string): string {
  const problem = describeFsError(error, path);
  return problem.includes('DATA_DIR')
    ? problem
    : `${problem} (check DATA_DIR and the volume behind it)`;
}

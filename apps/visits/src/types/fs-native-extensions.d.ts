// The package ships no types; these cover the part the store uses.
declare module 'fs-native-extensions' {
  /** Requests an exclusive (or shared) lock without waiting; false when another holder has it. */
  export function tryLock(
    fd: number,
    offset?: number,
    length?: number,
    options?: { shared?: boolean },
  ): boolean;
  export function unlock(fd: number, offset?: number, length?: number): void;
}

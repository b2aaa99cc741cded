/**
 * Test support: a FileIo that "kills the process" just before its n-th mutating operation.
 * What earlier operations wrote stays (as after SIGKILL: the page cache survives); a write chosen
 * as the crash point may first write a prefix of its bytes (a torn write). After the crash every
 * call throws, as a dead process does nothing more. Without a plan it only counts operations, so a
 * test can learn how many crash points a scenario has.
 */
import type { FileIo } from './fileIo.ts';
import { GridLedgerError } from '../../errors.ts';

export interface CrashPlan {
  /** Index (from 0) of the mutating operation that does not happen. */
  readonly crashAtOp: number;
  /** If that operation is a write, how many of its bytes reach the file first. */
  readonly partialWriteBytes?: number;
}

export interface CrashingFileIo {
  readonly io: FileIo;
  /** Mutating operations started so far. */
  ops(): number;
  /** Their names, in order (e.g. 'write', 'fdatasync'), so a test can tell which crash points are writes. */
  opNames(): readonly string[];
  crashed(): boolean;
}

export function crashingFileIo(inner: FileIo, plan?: CrashPlan): CrashingFileIo {
  let count = 0;
  const names: string[] = [];
  let dead = false;
  const openFds = new Set<number>();

  const die = (): never => {
    if (!dead) {
      dead = true;
      for (const fd of openFds) inner.close(fd); // the kernel closes a dead process's files
      openFds.clear();
    }
    throw new GridLedgerError('SIMULATED_CRASH', `simulated crash at operation ${count - 1}`);
  };
  const alive = (): void => {
    if (dead) die();
  };
  /** Counts one mutating operation; true if it is the one that crashes. */
  const isCrashPoint = (name: string): boolean => {
    alive();
    names.push(name);
    const index = count++;
    return plan !== undefined && index === plan.crashAtOp;
  };
  const step = <T>(name: string, run: () => T): T => (isCrashPoint(name) ? die() : run());

  const io: FileIo = {
    mkdirp: (dir) => step('mkdirp', () => inner.mkdirp(dir)),
    list: (dir) => (alive(), inner.list(dir)),
    readFile: (file) => (alive(), inner.readFile(file)),
    openAppend: (file) => step('openAppend', () => track(inner.openAppend(file))),
    openTruncate: (file) => step('openTruncate', () => track(inner.openTruncate(file))),
    write(fd, data) {
      if (isCrashPoint('write')) {
        const n = Math.min(plan?.partialWriteBytes ?? 0, data.length);
        if (n > 0) inner.write(fd, data.subarray(0, n));
        die();
      }
      inner.write(fd, data);
    },
    fdatasync: (fd) => step('fdatasync', () => inner.fdatasync(fd)),
    fsync: (fd) => step('fsync', () => inner.fsync(fd)),
    truncate: (fd, length) => step('truncate', () => inner.truncate(fd, length)),
    close(fd) {
      alive();
      openFds.delete(fd);
      inner.close(fd);
    },
    rename: (from, to) => step('rename', () => inner.rename(from, to)),
    remove: (file) => step('remove', () => inner.remove(file)),
    syncDir: (dir) => step('syncDir', () => inner.syncDir(dir)),
  };
  function track(fd: number): number {
    openFds.add(fd);
    return fd;
  }
  return { io, ops: () => count, opNames: () => names, crashed: () => dead };
}

/**
 * The few synchronous file operations the WAL and the sign-state file need, behind an interface
 * so tests can inject a crash before any one of them (crashingFileIo.ts).
 */
import path from 'node:path';
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface FileIo {
  mkdirp(dir: string): void;
  /** Names of the entries in `dir`. */
  list(dir: string): string[];
  /** The file's bytes, or undefined if it does not exist. */
  readFile(file: string): Uint8Array | undefined;
  /** Opens for appending, creating the file if missing. */
  openAppend(file: string): number;
  /** Opens for writing, creating or emptying the file. */
  openTruncate(file: string): number;
  /** Writes all of `data` at the file's current position. */
  write(fd: number, data: Uint8Array): void;
  fdatasync(fd: number): void;
  fsync(fd: number): void;
  truncate(fd: number, length: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  remove(file: string): void;
  /** fsync of a directory, so that created, renamed or removed entries are durable. */
  syncDir(dir: string): void;
}

const isMissing = (e: unknown): boolean => e instanceof Error && (e as NodeJS.ErrnoException).code === 'ENOENT';

export const nodeFileIo: FileIo = {
  mkdirp: (dir) => void mkdirSync(dir, { recursive: true }),
  list: (dir) => readdirSync(dir),
  readFile(file) {
    try {
      return new Uint8Array(readFileSync(file));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  },
  openAppend: (file) => openSync(file, 'a'),
  openTruncate: (file) => openSync(file, 'w'),
  write(fd, data) {
    // A write to a regular file may be short (a signal, a full disk): continue until all is out.
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  },
  fdatasync: (fd) => fdatasyncSync(fd),
  fsync: (fd) => fsyncSync(fd),
  truncate: (fd, length) => ftruncateSync(fd, length),
  close: (fd) => closeSync(fd),
  rename: (from, to) => renameSync(from, to),
  remove: (file) => rmSync(file, { force: true }),
  syncDir(dir) {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};

/**
 * Replaces `file` with `data` so that a crash at any point leaves the old or the new content:
 * written to `file.tmp`, fsynced, renamed over `file`, then the directory fsynced.
 */
export function replaceFileAtomically(file: string, data: Uint8Array, io: FileIo = nodeFileIo): void {
  const tmp = `${file}.tmp`;
  const fd = io.openTruncate(tmp);
  try {
    io.write(fd, data);
    io.fsync(fd);
  } finally {
    io.close(fd);
  }
  io.rename(tmp, file);
  io.syncDir(path.dirname(file));
}

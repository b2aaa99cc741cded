/**
 * Write-ahead log of consensus messages (CometBFT spec/consensus/wal.md, as built here).
 *
 * One segment file per height, `wal-<height>.log`, of checksummed frames (walFrame.ts). Every
 * message the engine will act on is appended before it is processed; the node's own messages
 * with `sync: true` (fdatasync before the message leaves the node). `endHeight(h)`, called once
 * block h is committed in the store, appends an end-of-height marker (CometBFT's "#ENDHEIGHT h"),
 * fsyncs it, starts segment h+1 and deletes segments older than `keepHeights`.
 *
 * After a crash, opening the WAL cuts a torn tail off the last segment (a frame that is short or
 * fails its checksum, and anything after it) and reports how many bytes it dropped; `replay(h)`
 * then returns the whole records of heights >= h in the order they were appended.
 */
import path from 'node:path';
import { type FileIo, nodeFileIo } from './fileIo.ts';
import { FrameKind, MAX_PAYLOAD_BYTES, decodeFrames, decodeHeight, encodeFrame, encodeHeight } from './walFrame.ts';
import { GridLedgerError } from '../../errors.ts';

export interface WalRecord {
  /** The height whose segment holds the record: the height the engine was at when it logged it. */
  readonly height: number;
  readonly data: Uint8Array;
}

export interface WalOptions {
  readonly dir: string;
  /** Height of the first segment when the WAL is new; ignored when segments exist. */
  readonly startHeight: number;
  /** Segments kept: the current one and keepHeights - 1 ended ones (default 2). */
  readonly keepHeights?: number;
  readonly io?: FileIo;
}

export interface Wal {
  /** The height records are appended to now. */
  height(): number;
  /** Bytes of torn tail cut off the last segment when the WAL was opened (0 after a clean stop). */
  readonly droppedBytesAtOpen: number;
  /** Appends one record; with sync, returns only after fdatasync. */
  append(data: Uint8Array, options: { readonly sync: boolean }): void;
  /** Marks `height` finished (its block is committed) and moves on to height + 1. */
  endHeight(height: number): void;
  /** Records of every kept segment with height >= fromHeight, in append order. */
  replay(fromHeight: number): WalRecord[];
  /** fdatasyncs and closes the current segment. */
  close(): void;
}

const SEGMENT_RE = /^wal-(\d{16})\.log$/;
const segmentName = (height: number): string => `wal-${height.toString().padStart(16, '0')}.log`;

function checkHeight(height: number, what: string): void {
  if (!Number.isSafeInteger(height) || height < 1 || height >= 1e16) {
    throw new GridLedgerError('WAL_BAD_HEIGHT', `${what} must be an integer from 1 to 1e16 - 1, got ${height}`);
  }
}

interface Segment {
  readonly height: number;
  readonly file: string;
}

function listSegments(io: FileIo, dir: string): Segment[] {
  const out: Segment[] = [];
  for (const name of io.list(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (m?.[1] !== undefined) out.push({ height: Number(m[1]), file: path.join(dir, name) });
  }
  return out.sort((a, b) => a.height - b.height);
}

const corrupt = (file: string, why: string): GridLedgerError => new GridLedgerError('WAL_CORRUPT', `${path.basename(file)}: ${why}`, { details: { file } });

interface ParsedSegment {
  readonly records: Uint8Array[];
  /** Height named by the end marker, if the segment is sealed. */
  readonly endedAt: number | undefined;
  readonly validBytes: number;
  readonly totalBytes: number;
}

function parseSegment(seg: Segment, bytes: Uint8Array): ParsedSegment {
  const { frames, validBytes } = decodeFrames(bytes);
  const records: Uint8Array[] = [];
  let endedAt: number | undefined;
  for (const frame of frames) {
    if (endedAt !== undefined) throw corrupt(seg.file, 'frames after the end-of-height marker');
    if (frame.kind === FrameKind.record) {
      records.push(frame.body);
      continue;
    }
    const h = decodeHeight(frame.body);
    if (h === undefined || h < seg.height) throw corrupt(seg.file, `end-of-height marker for ${String(h)} in segment ${seg.height}`);
    endedAt = h;
  }
  return { records, endedAt, validBytes, totalBytes: bytes.length };
}

export function openWal(options: WalOptions): Wal {
  const io = options.io ?? nodeFileIo;
  const { dir } = options;
  const keepHeights = options.keepHeights ?? 2;
  if (!Number.isSafeInteger(keepHeights) || keepHeights < 1) throw new GridLedgerError('WAL_BAD_OPTION', `keepHeights must be >= 1, got ${keepHeights}`);
  checkHeight(options.startHeight, 'start height');
  io.mkdirp(dir);

  let current: number;
  let fd: number | undefined;
  let droppedBytesAtOpen = 0;
  let state: 'open' | 'failed' | 'closed' = 'open';

  const startSegment = (height: number): number => {
    const f = io.openAppend(path.join(dir, segmentName(height)));
    io.syncDir(dir); // the new file's directory entry must survive power loss
    return f;
  };

  const last = listSegments(io, dir).at(-1);
  if (last === undefined) {
    current = options.startHeight;
    fd = startSegment(current);
  } else {
    const parsed = parseSegment(last, io.readFile(last.file) ?? new Uint8Array(0));
    fd = io.openAppend(last.file);
    if (parsed.validBytes < parsed.totalBytes) {
      droppedBytesAtOpen = parsed.totalBytes - parsed.validBytes;
      io.truncate(fd, parsed.validBytes);
      io.fdatasync(fd);
    }
    if (parsed.endedAt === undefined) {
      current = last.height;
    } else {
      // Crashed after sealing the segment but before the next one was made.
      io.close(fd);
      current = parsed.endedAt + 1;
      checkHeight(current, 'next height');
      fd = startSegment(current);
    }
  }

  // Also on open: a crash may have come between starting a segment and pruning old ones.
  const prune = (): void => {
    for (const seg of listSegments(io, dir)) if (seg.height <= current - keepHeights) io.remove(seg.file);
  };
  prune();

  const usable = (): number => {
    if (state === 'closed') throw new GridLedgerError('WAL_CLOSED', 'the WAL is closed');
    if (state === 'failed' || fd === undefined) throw new GridLedgerError('WAL_FAILED', 'an earlier write failed; reopen the WAL to repair its tail');
    return fd;
  };
  /** Runs file writes; on any failure the tail may be torn, so no further frame may follow it. */
  const writing = (what: string, run: () => void): void => {
    try {
      run();
    } catch (e) {
      state = 'failed';
      throw new GridLedgerError('WAL_WRITE_FAILED', `WAL ${what} failed`, { cause: e });
    }
  };

  return {
    height: () => current,
    droppedBytesAtOpen,

    append(data: Uint8Array, { sync }: { readonly sync: boolean }): void {
      const out = usable();
      if (data.length + 1 > MAX_PAYLOAD_BYTES) {
        throw new GridLedgerError('WAL_RECORD_TOO_LARGE', `a WAL record holds at most ${MAX_PAYLOAD_BYTES - 1} bytes, got ${data.length}`);
      }
      const frame = encodeFrame(FrameKind.record, data);
      writing('append', () => {
        io.write(out, frame);
        if (sync) io.fdatasync(out);
      });
    },

    endHeight(height: number): void {
      const out = usable();
      checkHeight(height, 'ended height');
      checkHeight(height + 1, 'next height');
      if (height < current) throw new GridLedgerError('WAL_HEIGHT_REGRESSION', `WAL is at height ${current}, cannot end height ${height}`);
      writing('end of height', () => {
        io.write(out, encodeFrame(FrameKind.endHeight, encodeHeight(height)));
        io.fdatasync(out);
        fd = undefined;
        io.close(out);
        fd = startSegment(height + 1);
        current = height + 1;
        prune();
      });
    },

    replay(fromHeight: number): WalRecord[] {
      usable();
      const segments = listSegments(io, dir);
      const out: WalRecord[] = [];
      segments.forEach((seg, i) => {
        if (seg.height < fromHeight) return;
        const parsed = parseSegment(seg, io.readFile(seg.file) ?? new Uint8Array(0));
        // Ended segments were fsynced whole: a bad frame there is corruption, not a torn write.
        if (i < segments.length - 1 && parsed.validBytes < parsed.totalBytes) throw corrupt(seg.file, `bad frame at byte ${parsed.validBytes}`);
        for (const data of parsed.records) out.push({ height: seg.height, data });
      });
      return out;
    },

    close(): void {
      if (state === 'closed') return;
      const wasOpen = state === 'open';
      const out = fd;
      state = 'closed';
      fd = undefined;
      if (out === undefined) return;
      try {
        if (wasOpen) io.fdatasync(out);
      } finally {
        io.close(out);
      }
    },
  };
}

/**
 * Reusable work arrays for one synchronous computation at a time.
 *
 * Allocating fresh typed arrays of a few hundred kB per solve costs more than the solve itself
 * here (the allocator returns fresh pages and V8 schedules collections for external memory), so
 * temporaries that never leave a function come from these grow-only buffers instead. A slot must
 * not be held across a call that may take the same slot; every taker initialises what it reads
 * (`zeroed` variants fill with 0), so results never depend on earlier contents.
 */
const f64: Float64Array[] = [];
const i32: Int32Array[] = [];

/** Slot numbers: a function uses distinct slots for arrays it holds at the same time. */
export type Slot = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export function scratchF64(slot: Slot, n: number): Float64Array {
  let buf = f64[slot];
  if (buf === undefined || buf.length < n) {
    buf = new Float64Array(Math.max(n, 2 * (buf?.length ?? 0)));
    f64[slot] = buf;
  }
  return buf.subarray(0, n);
}

export function zeroedF64(slot: Slot, n: number): Float64Array {
  return scratchF64(slot, n).fill(0);
}

export function scratchI32(slot: Slot, n: number): Int32Array {
  let buf = i32[slot];
  if (buf === undefined || buf.length < n) {
    buf = new Int32Array(Math.max(n, 2 * (buf?.length ?? 0)));
    i32[slot] = buf;
  }
  return buf.subarray(0, n);
}

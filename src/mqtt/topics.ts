// A small, fixed-size cache of incoming topic strings, keyed by their bytes. A device sees the
// same few downlink topics over and over; handing back the string made last time saves building
// (and later collecting) a new one per message. Strings are immutable, so sharing is invisible.
// Memory is allocated once: SETS sets of two ways, each slot at most TOPIC_CACHE_MAX_BYTES
// (about 1 KB in all, plus the strings).

const SETS = 8;
const WAYS = 2;
const SLOTS = SETS * WAYS;
/** Longer topics are decoded every time. */
export const TOPIC_CACHE_MAX_BYTES = 56; // 8 groups of 8 bytes per slot with the last 8: 1 KB

const GROUPS = (TOPIC_CACHE_MAX_BYTES >> 3) + 1; // 8-byte groups per slot, and the last 8 bytes
const RECENT = SLOTS; // where `lens` keeps the recent way of each set

export class TopicCache {
  // Hot fields first: XS finds a property by walking the object's list.
  // Length per slot (0: empty; topics are never empty), then per set the way hit or filled last.
  private readonly lens = new Uint8Array(SLOTS + SETS);
  // Each slot's bytes as the doubles a DataView reads from them, big-endian, 8 at a time, then
  // the last 8 (overlapping the groups). A topic under 8 bytes is kept as bytes in its slot's
  // first group instead (`short` is a byte view of the same memory).
  // Equal doubles are equal bytes here: the only other equal pairs are +0/-0 and NaNs, and a
  // stored group can be neither zero (a topic has no NUL) nor a NaN that matches anything.
  private readonly groups = new Float64Array(SLOTS * GROUPS);
  private readonly short = new Uint8Array(this.groups.buffer);
  private readonly strs: string[] = new Array<string>(SLOTS).fill('');
  // Views of the two buffers lookups read last (the transport's chunk and the framer's ring):
  // comparing eight bytes per read costs XS a fraction of comparing byte by byte. Made once
  // per buffer, not per message. `view` is the one in use; `of` the arrays they were made for
  // (compared by identity: the getters cost more), `base` their byteOffsets.
  private view: DataView | undefined;
  private viewOf: Uint8Array | undefined;
  private viewBase = 0;
  private otherView: DataView | undefined;
  private otherOf: Uint8Array | undefined;
  private otherBase = 0;

  /**
   * The string cached for exactly the bytes `buf[start, end)`, or null. A hit needs no
   * validation: only topics that passed it are ever stored.
   */
  find(buf: Uint8Array, start: number, end: number): string | null {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return null; // an empty length marks a free slot
    // Everything inline: a function call costs XS more than most of the comparison.
    const set = (n + buf[end - 1]!) & (SETS - 1); // setOf()
    const lens = this.lens;
    let w = 0;
    let slot = set * WAYS;
    if (lens[slot] !== n) {
      w = 1;
      slot++;
      if (lens[slot] !== n) return null;
    }
    if (buf !== this.viewOf) this.useView(buf);
    const v = this.view!;
    const o = this.viewBase + start;
    const g = this.groups;
    for (;;) {
      let same = true;
      if (n >= 8) {
        const at = slot * GROUPS;
        const full = n >> 3;
        for (let k = 0; k < full; k++) {
          if (v.getFloat64(o + (k << 3)) !== g[at + k]) {
            same = false;
            break;
          }
        }
        if (same && (n & 7) !== 0 && v.getFloat64(o + n - 8) !== g[at + GROUPS - 1]) same = false;
      } else {
        const sb = this.short;
        const at = slot * GROUPS * 8;
        for (let i = 0; i < n; i++) {
          if (sb[at + i] !== buf[start + i]) {
            same = false;
            break;
          }
        }
      }
      if (same) {
        lens[RECENT + set] = w;
        return this.strs[slot]!;
      }
      if (w === 1) return null;
      w = 1;
      slot++;
      if (lens[slot] !== n) return null;
    }
  }

  /** Remember `s`, the string of the validated bytes `buf[start, end)` that find() missed. */
  add(buf: Uint8Array, start: number, end: number, s: string): void {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return;
    const set = setOf(buf, end, n);
    const w = WAYS - 1 - this.lens[RECENT + set]!; // the least recently used of the two ways
    const slot = set * WAYS + w;
    if (n >= 8) {
      const v = new DataView(buf.buffer, buf.byteOffset + start, n); // once per new topic
      const at = slot * GROUPS;
      for (let k = 0; k < n >> 3; k++) this.groups[at + k] = v.getFloat64(k << 3);
      this.groups[at + GROUPS - 1] = v.getFloat64(n - 8);
    } else {
      for (let i = 0; i < n; i++) this.short[slot * GROUPS * 8 + i] = buf[start + i]!;
    }
    this.lens[slot] = n;
    this.strs[slot] = s;
    this.lens[RECENT + set] = w;
  }

  clear(): void {
    this.lens.fill(0, 0, SLOTS);
    this.strs.fill('');
    this.release();
  }

  /** Let go of the buffers looked at (so a transport chunk is not kept alive at rest). */
  release(): void {
    this.view = this.viewOf = this.otherView = this.otherOf = undefined;
  }

  // Make `view` the one for `buf`: swap with the other, or replace the other with a new one.
  private useView(buf: Uint8Array): void {
    const v = this.view;
    const of = this.viewOf;
    const base = this.viewBase;
    if (buf === this.otherOf) {
      this.view = this.otherView;
      this.viewBase = this.otherBase;
    } else {
      const b = buf.buffer;
      this.view = of !== undefined && v!.buffer === b ? v : this.otherOf !== undefined && this.otherView!.buffer === b ? this.otherView : new DataView(b);
      this.viewBase = buf.byteOffset;
    }
    this.viewOf = buf;
    this.otherView = v;
    this.otherOf = of;
    this.otherBase = base;
  }
}

// The set from the length and the last byte: downlink topics share their start and differ at
// the end (the datastream name).
function setOf(buf: Uint8Array, end: number, n: number): number {
  return (n + buf[end - 1]!) & (SETS - 1);
}

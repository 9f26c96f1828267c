// A small, fixed-size cache of incoming topic strings, keyed by their bytes. A device sees the
// same few downlink topics over and over; handing back the string made last time saves building
// (and later collecting) a new one per message. Strings are immutable, so sharing is invisible.
// Memory is allocated once, when the first topic is stored (a device that has received nothing
// holds only the lengths): SETS sets of two ways, each slot at most TOPIC_CACHE_MAX_BYTES (768
// bytes in all, plus the strings).

const SETS = 8;
const WAYS = 2;
const SLOTS = SETS * WAYS;
/** Longer topics are decoded every time. */
export const TOPIC_CACHE_MAX_BYTES = 40; // `downlink/ds/` and a name of up to 28 bytes: 6 groups of 8 per slot with the last 8

const GROUPS = (TOPIC_CACHE_MAX_BYTES >> 3) + 1; // 8-byte groups per slot, and the last 8 bytes
const RECENT = SLOTS; // where `lens` keeps the way of each set filled last

export class TopicCache {
  // Hot fields first: XS finds a property by walking the object's list.
  // Length per slot (0: empty; topics are never empty), then per set the way filled last.
  private readonly lens = new Uint8Array(SLOTS + SETS);
  // The view in use (see below), the array it was made for, and that array's byteOffset.
  private viewOf: Uint8Array | undefined;
  private view: DataView | undefined;
  private viewBase = 0;
  // Each slot's bytes as the doubles a DataView reads from them, big-endian, 8 at a time, then
  // the last 8 (overlapping the groups). A topic under 8 bytes is kept as bytes in its slot's
  // first group instead (`short` is a byte view of the same memory).
  // Equal doubles are equal bytes here: the only other equal pairs are +0/-0 and NaNs, and a
  // stored group can be neither zero (a topic has no NUL) nor a NaN that matches anything.
  // Made by the first add(): lookups read them only for a slot whose length matched.
  private groups: Float64Array | undefined;
  private short: Uint8Array | undefined;
  private strs: string[] | undefined;
  // Views of the two buffers lookups read last (the transport's chunk and the framer's ring):
  // comparing eight bytes per read costs XS a fraction of comparing byte by byte. Made once
  // per buffer, not per message. `view` is the one in use; `of` the arrays they were made for
  // (compared by identity: the getters cost more), `base` their byteOffsets.
  private otherView: DataView | undefined;
  private otherOf: Uint8Array | undefined;
  private otherBase = 0;

  /**
   * The string cached for exactly the bytes `buf[start, end)`, or null. A hit needs no
   * validation: only topics that passed it are ever stored.
   */
  find(buf: Uint8Array, start: number, end: number): string | null {
    return this.findIn(buf, start, end, undefined, 0);
  }

  /** find() with a DataView of `buf.buffer` and `buf.byteOffset` at hand (the framer's fast path), or undefined: made when a length matches. */
  findIn(buf: Uint8Array, start: number, end: number, v: DataView | undefined, base: number): string | null {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return null; // an empty length marks a free slot
    // Everything inline and unrolled: on XS a call or a loop step costs more than a comparison.
    // setOf(): the set from the length and the last byte (downlink topics share their start and
    // differ at the end, the datastream name); written inline here and in add(): no frame.
    const set = (n + buf[end - 1]!) & (SETS - 1);
    const lens = this.lens;
    let slot = set * WAYS;
    if (lens[slot] !== n && lens[++slot] !== n) return null;
    if (n < 8) return this.findShort(buf, start, n, slot);
    if (v === undefined) {
      if (buf !== this.viewOf) this.useView(buf);
      v = this.view!;
      base = this.viewBase;
    }
    const o = base + start;
    const g = this.groups!;
    for (;;) {
      // The last 8 bytes first (topics of one length differ most at the end: the name), then
      // the groups before them.
      const at = slot * GROUPS;
      if (
        v.getFloat64(o + n - 8) === g[at + GROUPS - 1] &&
        (n <= 8 || v.getFloat64(o) === g[at]) &&
        (n <= 16 || v.getFloat64(o + 8) === g[at + 1]) &&
        (n <= 24 || this.rest(v, o, n, at))
      ) {
        return this.strs![slot]!; // no LRU update on a hit: a typed-array write costs XS more than it saves
      }
      if ((slot & 1) === 1 || lens[++slot] !== n) return null;
    }
  }

  // The groups from the third on, for topics over 24 bytes.
  private rest(v: DataView, o: number, n: number, at: number): boolean {
    const g = this.groups!;
    for (let k = 16, i = at + 2; k < n - 8; k += 8, i++) if (v.getFloat64(o + k) !== g[i]) return false;
    return true;
  }

  // find() for a topic under 8 bytes, kept as bytes in its slot's first group.
  private findShort(buf: Uint8Array, start: number, n: number, slot: number): string | null {
    const sb = this.short!;
    for (;;) {
      const at = slot * GROUPS * 8;
      let i = 0;
      while (i < n && sb[at + i] === buf[start + i]) i++;
      if (i === n) return this.strs![slot]!;
      if ((slot & 1) === 1 || this.lens[++slot] !== n) return null;
    }
  }

  /** Remember `s`, the string of the validated bytes `buf[start, end)` that find() missed. */
  add(buf: Uint8Array, start: number, end: number, s: string): void {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return;
    const set = (n + buf[end - 1]!) & (SETS - 1); // setOf(), inline: a frame fewer under a new topic (XS stack)
    const w = WAYS - 1 - this.lens[RECENT + set]!; // the way filled first (a hit does not reorder: see find)
    const slot = set * WAYS + w;
    if (this.groups === undefined) {
      this.groups = new Float64Array(SLOTS * GROUPS);
      this.short = new Uint8Array(this.groups.buffer);
      this.strs = new Array<string>(SLOTS).fill('');
    }
    if (n >= 8) {
      const v = new DataView(buf.buffer, buf.byteOffset + start, n); // once per new topic
      const at = slot * GROUPS;
      for (let k = 0; k < n >> 3; k++) this.groups[at + k] = v.getFloat64(k << 3);
      this.groups[at + GROUPS - 1] = v.getFloat64(n - 8);
    } else {
      for (let i = 0; i < n; i++) this.short![slot * GROUPS * 8 + i] = buf[start + i]!;
    }
    this.lens[slot] = n;
    this.strs![slot] = s;
    this.lens[RECENT + set] = w;
  }

  /** Let go of the buffers looked at, but `keep`'s (so a transport chunk is not kept alive at rest). */
  release(keep?: Uint8Array): void {
    if (this.viewOf !== keep) this.view = this.viewOf = undefined;
    if (this.otherOf !== keep) this.otherView = this.otherOf = undefined;
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

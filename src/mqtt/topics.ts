// A small, fixed-size cache of incoming topic strings, keyed by their bytes. A device sees the
// same few downlink topics over and over; handing back the string made last time saves building
// (and later collecting) a new one per message. Strings are immutable, so sharing is invisible.
// Memory is allocated once: SETS sets of two ways, each slot at most TOPIC_CACHE_MAX_BYTES
// (about 1.1 KB in all, plus the strings).

const SETS = 8;
const WAYS = 2;
const SLOTS = SETS * WAYS;
/** Longer topics are decoded every time. */
export const TOPIC_CACHE_MAX_BYTES = 64;

const WORDS = TOPIC_CACHE_MAX_BYTES >> 2;

export class TopicCache {
  // Hot fields first: XS finds a property by walking the object's list.
  private readonly lens = new Uint8Array(SLOTS); // 0: empty slot (topics are never empty)
  // Each slot's bytes as big-endian 32-bit words (what a DataView reads), the last one padded
  // with zeros: the only copy of them (1 KB).
  private readonly words = new Uint32Array(SLOTS * WORDS);
  private readonly strs: string[] = new Array<string>(SLOTS).fill('');
  private readonly recent = new Uint8Array(SETS); // the way hit or filled last, per set
  // Views of the two buffers lookups read last (the transport's chunk and the framer's ring):
  // comparing four bytes per read costs XS a third of comparing byte by byte. Made once per
  // buffer, not per message. `view` is the one in use; `of` the arrays they were made for
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
    for (;;) {
      if (this.same(slot, buf, start, n)) {
        this.recent[set] = w;
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
    const w = WAYS - 1 - this.recent[set]!; // the least recently used of the two ways
    const slot = set * WAYS + w;
    const wat = slot * WORDS;
    for (let i = 0; i < n; i += 4) {
      let word = 0;
      for (let k = 0; k < 4; k++) word = (word << 8) | (i + k < n ? buf[start + i + k]! : 0);
      this.words[wat + (i >> 2)] = word >>> 0;
    }
    this.lens[slot] = n;
    this.strs[slot] = s;
    this.recent[set] = w;
  }

  clear(): void {
    this.lens.fill(0);
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

  // Called with `view` made for `buf`.
  private same(slot: number, buf: Uint8Array, start: number, n: number): boolean {
    const v = this.view!;
    const o = this.viewBase + start;
    const words = this.words;
    const wat = slot * WORDS;
    let i = 0;
    for (; i + 4 <= n; i += 4) if (v.getUint32(o + i) !== words[wat + (i >> 2)]) return false;
    if (i === n) return true;
    const last = words[wat + (i >> 2)]!;
    for (let shift = 24; i < n; i++, shift -= 8) if (((last >>> shift) & 255) !== buf[start + i]) return false;
    return true;
  }
}

// The set from the length and the last byte: downlink topics share their start and differ at
// the end (the datastream name).
function setOf(buf: Uint8Array, end: number, n: number): number {
  return (n + buf[end - 1]!) & (SETS - 1);
}

// A small, fixed-size cache of incoming topic strings, keyed by their bytes. A device sees the
// same few downlink topics over and over; handing back the string made last time saves building
// (and later collecting) a new one per message. Strings are immutable, so sharing is invisible.
// Memory is allocated once: SETS sets of two ways, each slot at most TOPIC_CACHE_MAX_BYTES.

const SETS = 8;
const WAYS = 2;
const SLOTS = SETS * WAYS;
/** Longer topics are decoded every time. */
export const TOPIC_CACHE_MAX_BYTES = 64;

export class TopicCache {
  private readonly bytes = new Uint8Array(SLOTS * TOPIC_CACHE_MAX_BYTES);
  private readonly lens = new Uint8Array(SLOTS); // 0: empty slot (topics are never empty)
  private readonly strs: string[] = new Array<string>(SLOTS).fill('');
  private readonly recent = new Uint8Array(SETS); // the way hit or filled last, per set

  /**
   * The string cached for exactly the bytes `buf[start, end)`, or null. A hit needs no
   * validation: only topics that passed it are ever stored.
   */
  find(buf: Uint8Array, start: number, end: number): string | null {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return null; // an empty length marks a free slot
    const set = setOf(buf, end, n);
    const first = set * WAYS;
    for (let w = 0; w < WAYS; w++) {
      const slot = first + w;
      if (this.lens[slot] === n && this.same(slot, buf, start, n)) {
        this.recent[set] = w;
        return this.strs[slot]!;
      }
    }
    return null;
  }

  /** Remember `s`, the string of the validated bytes `buf[start, end)` that find() missed. */
  add(buf: Uint8Array, start: number, end: number, s: string): void {
    const n = end - start;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return;
    const set = setOf(buf, end, n);
    const w = WAYS - 1 - this.recent[set]!; // the least recently used of the two ways
    const slot = set * WAYS + w;
    const at = slot * TOPIC_CACHE_MAX_BYTES;
    for (let i = 0; i < n; i++) this.bytes[at + i] = buf[start + i]!;
    this.lens[slot] = n;
    this.strs[slot] = s;
    this.recent[set] = w;
  }

  clear(): void {
    this.lens.fill(0);
    this.strs.fill('');
  }

  private same(slot: number, buf: Uint8Array, start: number, n: number): boolean {
    const b = this.bytes;
    const at = slot * TOPIC_CACHE_MAX_BYTES;
    // Four bytes per step: a hit has to compare them all.
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const p = at + i;
      const q = start + i;
      if (b[p] !== buf[q] || b[p + 1] !== buf[q + 1] || b[p + 2] !== buf[q + 2] || b[p + 3] !== buf[q + 3]) return false;
    }
    for (; i < n; i++) if (b[at + i] !== buf[start + i]) return false;
    return true;
  }
}

// The set from the length and the last byte: downlink topics share their start and differ at
// the end (the datastream name).
function setOf(buf: Uint8Array, end: number, n: number): number {
  return (n + buf[end - 1]!) & (SETS - 1);
}

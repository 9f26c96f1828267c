// attack3: what the receive path keeps of a transport chunk once it is used up. framer.ts says
// "do not keep the transport's memory alive" (usedUp), and topics.ts has release() "so a
// transport chunk is not kept alive at rest"; on the device every read is a fresh buffer (up to
// a TCP segment), so a chunk kept after the framer returned NEED_MORE is RAM at rest for as long
// as the link is quiet, and after the connection is gone (issue 14: RAM at rest). Clause:
// C-LIMITS-3 (the receive buffer is the ring, allocated once; nothing else grows or stays).
import { FRAME_NEED_MORE, Framer } from '../../src/mqtt/framer';

/** Paths from `root` (own fields, depth-limited) to `target`. */
function pathsTo(root: object, target: object, depth = 4): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const walk = (o: unknown, path: string, d: number): void => {
    if (o === null || typeof o !== 'object') return;
    if (o === target) {
      out.push(path);
      return;
    }
    if (seen.has(o) || d === 0) return;
    seen.add(o);
    if (ArrayBuffer.isView(o)) {
      walk(o.buffer, `${path}.buffer`, d - 1);
      return;
    }
    if (o instanceof ArrayBuffer) return;
    for (const k of Object.keys(o)) walk((o as Record<string, unknown>)[k], `${path}.${k}`, d - 1);
  };
  walk(root, 'framer', depth);
  return out;
}

const packet = () => Uint8Array.of(0x30, 0x0c, 0x00, 0x08, ...new TextEncoder().encode('downlink'), 0x31, 0x32); // "downlink" "12"

describe('found by attack3, fixed: C-LIMITS-3 the framer keeps the last transport chunk alive after it is used up', () => {
  test('C-LIMITS-3: after NEED_MORE, nothing in the framer refers to the chunk or its buffer (fast path)', () => {
    const f = new Framer(1024);
    const chunk = packet();
    f.feed(chunk);
    while (f.next() !== FRAME_NEED_MORE);
    f.feed(chunk.slice()); // a second message: the fast path hit
    f.next();
    expect(f.next()).toBe(FRAME_NEED_MORE);
    const other = packet();
    f.feed(other);
    while (f.next() !== FRAME_NEED_MORE);
    // found: framer.viewOf (the chunk) and framer.view.buffer (its ArrayBuffer)
    expect(pathsTo(f, other.buffer)).toEqual([]);
  });

  test('C-LIMITS-3: after reset() (the connection is gone), nothing refers to the last chunk', () => {
    const f = new Framer(1024);
    const chunk = packet();
    f.feed(chunk);
    while (f.next() !== FRAME_NEED_MORE);
    f.reset();
    expect(pathsTo(f, chunk.buffer)).toEqual([]);
  });

  test('C-LIMITS-3: a packet off the fast path (RETAIN set) from the chunk: the topic cache keeps the chunk too (older: find() keeps its view until release(), which only clear() calls)', () => {
    const f = new Framer(1024);
    const chunk = packet();
    chunk[0] = 0x31;
    f.feed(chunk);
    while (f.next() !== FRAME_NEED_MORE);
    // found: framer.topics.viewOf / framer.topics.view as well as the framer's own view
    expect(pathsTo(f, chunk.buffer).filter((p) => p.startsWith('framer.topics'))).toEqual([]);
  });
});

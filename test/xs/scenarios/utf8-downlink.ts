// Downlink text inside XS, as the runtime decodes it. Imports nothing that makes a TextDecoder
// at load, so the no-TextDecoder bundle can run it too.
import { Framer, FRAME_NEED_MORE, FRAME_PACKET, utf8Decode } from '../../../build/entries/xs-mock';
import { equal, show } from './assert';

// Downlink text as the runtime decodes it: topics in the framer (topic cache, then utf8Decode),
// values as the dispatcher does (utf8Decode of the payload's range). A leading U+FEFF must stay
// (MQTT-1.5.3-3; TextDecoder strips it by default), and malformed values become U+FFFD the way
// WHATWG decodes them, whichever decoder the engine has.
const DOWNLINKS: [number[], number[], string, string][] = [
  // topic bytes, payload bytes, topic, value
  [[0xef, 0xbb, 0xbf, 0x61, 0x2f, 0x62], [0xef, 0xbb, 0xbf, 0x31], '\uFEFFa/b', '\uFEFF1'],
  [[0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf], '\uFEFF', '\uFEFF'],
  [[0x61, 0x2f, 0xc3, 0xa9], [0xc3, 0x41], 'a/\u00e9', '\uFFFDA'],
  [[0x61], [0xc0, 0xaf], 'a', '\uFFFD\uFFFD'],
  [[0x61], [0xed, 0xa0, 0x80], 'a', '\uFFFD\uFFFD\uFFFD'],
  [[0x61], [0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f, 0x98], 'a', '\u{1F600}\uFFFD'],
  [[0x61], [0x61, 0x00, 0x62], 'a', 'a\u0000b'],
];

function publishBytes(topic: number[], payload: number[]): Uint8Array {
  const n = 2 + topic.length + payload.length;
  return Uint8Array.from([0x30, n, topic.length >> 8, topic.length & 255, ...topic, ...payload]);
}

export function utf8Downlink(): void {
  const framer = new Framer(1024);
  for (let round = 0; round < 2; round++) {
    // twice: the second time the topics come from the cache
    for (const [topicBytes, payloadBytes, topic, value] of DOWNLINKS) {
      framer.feed(publishBytes(topicBytes, payloadBytes));
      equal(framer.next(), FRAME_PACKET, `${show(topic)}: a packet`);
      const p = framer.packet;
      equal(p.topic, topic, `topic (round ${round + 1})`);
      equal(utf8Decode(p.bytes, p.payloadStart, p.payloadEnd), value, `value on ${show(topic)}`);
      equal(framer.next(), FRAME_NEED_MORE, 'the chunk is used up');
    }
  }
  // Longer than the short-ASCII path, and with a BOM past it.
  const long = new Uint8Array(48).fill(0x61);
  long.set([0xef, 0xbb, 0xbf], 45);
  equal(utf8Decode(long), 'a'.repeat(45) + '\uFEFF', 'a long string with U+FEFF at its end');
  equal(utf8Decode(long, 45, 48), '\uFEFF', 'only the U+FEFF');
}

/** The engine has no TextDecoder (a device without it; the bundle removed it before anything decoded). */
export function noTextDecoder(): void {
  equal(typeof (globalThis as Record<string, unknown>).TextDecoder, 'undefined', 'typeof TextDecoder');
}

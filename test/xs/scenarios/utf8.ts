// Non-ASCII datastream names inside XS. The check decodes what an encoder produced with the
// broker's codec: lengths must be UTF-8 byte counts, or the topic and payload come out shifted.
// The runtime's encoder passes; a `string.length` encoder (test/xs/fixtures) is caught here.
import { BlynkError, encodePublish, utf8Decode } from '../../../build/entries/xs-mock';
import { decodeClientPacket } from '../../../tools/broker/server-codec';
import { equal, fail, ok } from './assert';
import { bringOnline, makeDevice } from './device';

export type PublishEncoder = (topic: string, payload: string) => Uint8Array | BlynkError;

const CASES: [string, string][] = [
  ['ds/Température', '21.5'],
  ['ds/naïve café', 'é'],
  ['ds/😀 mood', '😀👍'],
];

export const runtimeEncoder: PublishEncoder = (topic, payload) => encodePublish({ topic, payload, qos: 0 });

export function utf8Uplink(encode: PublishEncoder = runtimeEncoder): void {
  for (const [topic, payload] of CASES) {
    const bytes = encode(topic, payload);
    if (bytes instanceof BlynkError) fail(`${topic}: encoder refused: ${bytes.message}`);
    let decoded: ReturnType<typeof decodeClientPacket>;
    try {
      decoded = decodeClientPacket(bytes);
    } catch (e) {
      fail(`${topic}: the broker cannot decode the packet: ${String(e)}`);
    }
    if (!decoded) fail(`${topic}: the remaining length claims more bytes than the packet has (${bytes.length} bytes)`);
    const [p, used] = decoded;
    if (p.type !== 'publish') fail(`${topic}: decoded a ${p.type}`);
    equal(p.topic, topic, 'topic as the broker decodes it');
    equal(utf8Decode(p.payload), payload, `payload of ${topic} as the broker decodes it`);
    equal(used, bytes.length, `${topic}: packet length per its remaining length`);
  }
  // And the whole way through the device: what the broker receives is what was published.
  const d = makeDevice();
  bringOnline(d);
  for (const [topic, payload] of CASES) ok(d.client.publish(topic, payload) === null, `publish ${topic}`);
  d.hal.time.flush();
  equal(d.broker.uplinks().slice(1), CASES, 'uplinks the broker received');
}

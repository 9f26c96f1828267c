// Differential property tests against mqtt-packet, the reference codec: (a) what we encode it
// parses to the same fields, byte for byte what it generates itself; (b) what it generates for a
// client we decode to the same fields; (c) a stream of such packets framed whole, split at every
// byte boundary and split at random points gives the same packets. Seeded: FUZZ_SEED.

import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { BlynkError } from '../../src/errors';
import { decodePacket } from './helpers';
import {
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePuback,
  encodePublish,
} from '../../src/mqtt/encode';
import { encodeSubscribe } from '../../src/mqtt/encode-subscribe';
import { Framer } from '../../src/mqtt/framer';
import { IncomingPacket, type ConnectFields, type PublishFields, type QoS } from '../../src/mqtt/packets';
import { checkProperty, runFramer, splitAt, toHex } from './helpers';

type Parsed = Record<string, unknown> & { cmd: string };

/** Parse with mqtt-packet; exactly one packet must come out and nothing be left over. */
function parseRef(bytes: Uint8Array): Parsed {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: Parsed[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => out.push(p as unknown as Parsed));
  parser.on('error', (e: Error) => errors.push(e));
  const left = parser.parse(Buffer.from(bytes));
  if (errors.length) throw errors[0];
  expect(out).toHaveLength(1);
  expect(left).toBe(0);
  return out[0]!;
}

function generateRef(packet: object): Uint8Array {
  return new Uint8Array(mqttPacket.generate(packet as mqttPacket.Packet));
}

function ours(v: Uint8Array | BlynkError): Uint8Array {
  if (v instanceof BlynkError) throw new Error(`encoder refused valid fields: ${v.code} ${v.message}`);
  return v;
}

const bytesOf = (p: Uint8Array | string) => (typeof p === 'string' ? new Uint8Array(Buffer.from(p, 'utf8')) : p);

// --- arbitraries -------------------------------------------------------------------------------

/** An MQTT string: any well-formed Unicode without U+0000. */
const mqttString = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((s) => !s.includes('\u0000'));
/** A topic name: non-empty, no wildcards. */
const topicName = fc
  .oneof(
    fc.string({ unit: fc.constantFrom('a', 'b', '/', 'é', '😀', ' ', '$', 'Z'), minLength: 1, maxLength: 20 }),
    mqttString(40),
  )
  .filter((s) => s.length > 0 && !/[+#]/.test(s));
const level = fc.oneof(fc.constant('+'), fc.string({ unit: fc.constantFrom('a', 'b', 'é', '1', ' '), maxLength: 6 }));
/** A topic filter: levels, '+' whole levels, optional trailing '#'. */
const topicFilter = fc
  .tuple(fc.array(level, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((s) => s.length > 0);
const payload = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 120 }));
const packetId = fc.integer({ min: 1, max: 65535 });
const qos = fc.constantFrom<QoS>(0, 1, 2);

const connectFields: fc.Arbitrary<ConnectFields> = fc
  .record({
    clientId: mqttString(30),
    username: fc.option(mqttString(30), { nil: undefined }),
    password: fc.option(fc.oneof(fc.uint8Array({ maxLength: 40 }), mqttString(40)), { nil: undefined }),
    keepalive: fc.integer({ min: 0, max: 65535 }),
    cleanSession: fc.boolean(),
    will: fc.option(fc.record({ topic: topicName, payload, qos, retain: fc.boolean() }), { nil: undefined }),
  })
  .map((f) => ({
    ...f,
    cleanSession: f.clientId === '' ? true : f.cleanSession, // MQTT-3.1.3-7
    password: f.username === undefined ? undefined : f.password, // MQTT-3.1.2-22
  }));

const publishFields: fc.Arbitrary<PublishFields> = fc
  .record({ topic: topicName, payload, qos: fc.constantFrom<0 | 1>(0, 1), retain: fc.boolean(), dup: fc.boolean(), id: packetId })
  .map((f) => ({ ...f, dup: f.qos === 0 ? false : f.dup }));

// --- (a) ours -> mqtt-packet ------------------------------------------------------------------

describe('differential (a): what we encode, mqtt-packet parses to the same fields and generates the same bytes', () => {
  test('CONNECT (C-CONN-3 fields: client id, username, password, keepalive, clean session, will)', () => {
    checkProperty(
      fc.property(connectFields, (f) => {
        const bytes = ours(encodeConnect(f, 1 << 20));
        const p = parseRef(bytes);
        expect(p.cmd).toBe('connect');
        expect([p.protocolId, p.protocolVersion, p.clientId, p.keepalive, p.clean]).toEqual(['MQTT', 4, f.clientId, f.keepalive, f.cleanSession]);
        expect(p.username).toBe(f.username);
        expect(p.password === undefined ? undefined : toHex(p.password as Buffer)).toBe(f.password === undefined ? undefined : toHex(bytesOf(f.password)));
        const will = p.will as { topic: string; payload: Buffer; qos: number; retain: boolean } | undefined;
        if (f.will === undefined) expect(will).toBeUndefined();
        else expect([will!.topic, toHex(will!.payload), will!.qos, will!.retain]).toEqual([f.will.topic, toHex(bytesOf(f.will.payload)), f.will.qos, f.will.retain]);
        const ref = generateRef({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: f.clientId,
          clean: f.cleanSession,
          keepalive: f.keepalive,
          username: f.username,
          password: f.password === undefined ? undefined : Buffer.from(bytesOf(f.password)),
          will: f.will && { ...f.will, payload: Buffer.from(bytesOf(f.will.payload)) },
        });
        expect(toHex(bytes)).toBe(toHex(ref));
      }),
      400,
    );
  });

  test('PUBLISH (QoS 0 and 1, retain, dup, packet id)', () => {
    checkProperty(
      fc.property(publishFields, (f) => {
        const bytes = ours(encodePublish(f, 1 << 20));
        const p = parseRef(bytes);
        expect([p.cmd, p.topic, p.qos, p.retain, p.dup]).toEqual(['publish', f.topic, f.qos, f.retain, f.dup]);
        expect(toHex(p.payload as Buffer)).toBe(toHex(bytesOf(f.payload)));
        if (f.qos) expect(p.messageId).toBe(f.id);
        const ref = generateRef({ cmd: 'publish', topic: f.topic, payload: Buffer.from(bytesOf(f.payload)), qos: f.qos, retain: f.retain, dup: f.dup, messageId: f.id });
        expect(toHex(bytes)).toBe(toHex(ref));
      }),
      1000,
    );
  });

  test('PUBACK, SUBSCRIBE, UNSUBSCRIBE', () => {
    checkProperty(
      fc.property(packetId, fc.array(fc.record({ topic: topicFilter, qos }), { minLength: 1, maxLength: 5 }), (id, subs) => {
        const puback = ours(encodePuback(id));
        expect(parseRef(puback)).toMatchObject({ cmd: 'puback', messageId: id });
        expect(toHex(puback)).toBe(toHex(generateRef({ cmd: 'puback', messageId: id })));

        const sub = ours(encodeSubscribe(id, subs, 1 << 20));
        const ps = parseRef(sub);
        expect([ps.cmd, ps.messageId, ps.subscriptions]).toEqual(['subscribe', id, subs.map((s) => ({ topic: s.topic, qos: s.qos }))]);
        expect(toHex(sub)).toBe(toHex(generateRef({ cmd: 'subscribe', messageId: id, subscriptions: subs })));

      }),
      500,
    );
  });

  test('PINGREQ and DISCONNECT', () => {
    expect(parseRef(encodePingreq()).cmd).toBe('pingreq');
    expect(parseRef(encodeDisconnect()).cmd).toBe('disconnect');
    expect(toHex(encodePingreq())).toBe(toHex(generateRef({ cmd: 'pingreq' })));
    expect(toHex(encodeDisconnect())).toBe(toHex(generateRef({ cmd: 'disconnect' })));
  });
});

// --- (b) mqtt-packet -> ours ------------------------------------------------------------------

/** A packet a client receives, as mqtt-packet fields, with what we must decode it to. */
interface Incoming {
  ref: object;
  expect: string;
}

const incoming: fc.Arbitrary<Incoming> = fc.oneof(
  fc.record({ returnCode: fc.integer({ min: 0, max: 255 }), sessionPresent: fc.boolean() }).map((c) => ({
    ref: { cmd: 'connack', ...c },
    expect: `CONNACK sp=${c.sessionPresent} rc=${c.returnCode}`,
  })),
  fc
    .record({ topic: topicName, payload: fc.uint8Array({ maxLength: 150 }), qos, retain: fc.boolean(), dup: fc.boolean(), messageId: packetId })
    .map((p) => {
      const dup = p.qos > 0 && p.dup;
      const id = p.qos > 0 ? p.messageId : 0;
      return {
        ref: { cmd: 'publish', ...p, dup, payload: Buffer.from(p.payload) },
        expect: `PUBLISH q${p.qos}${dup ? ' dup' : ''}${p.retain ? ' retain' : ''} id=${id} ${JSON.stringify(p.topic)} [${toHex(p.payload)}]`,
      };
    }),
  packetId.map((id) => ({ ref: { cmd: 'puback', messageId: id }, expect: `type4 id=${id}` })),
  fc.record({ messageId: packetId, granted: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 8 }) }).map((s) => ({
    ref: { cmd: 'suback', ...s },
    expect: `SUBACK id=${s.messageId} [${s.granted.join(',')}]`,
  })),
  packetId.map((id) => ({ ref: { cmd: 'unsuback', messageId: id }, expect: `type11 id=${id}` })),
  fc.constant({ ref: { cmd: 'pingresp' }, expect: 'PINGRESP' }),
);

describe('differential (b): what mqtt-packet generates for a client, we decode to the same fields', () => {
  test('CONNACK, PUBLISH (QoS 0/1/2), PUBACK, SUBACK (incl. 0x80), UNSUBACK, PINGRESP', () => {
    checkProperty(
      fc.property(incoming, (inc) => {
        const bytes = generateRef(inc.ref);
        // through the framer
        expect(runFramer(new Framer(1024), [bytes])).toEqual([inc.expect]);
        // and decodePacket agrees on the fields the framer summary does not show
        const p = new IncomingPacket();
        expect(decodePacket(bytes, p)).toBe(bytes.length);
        const ref = parseRef(bytes);
        if (ref.cmd === 'publish') {
          expect([p.topic, p.qos, p.dup, p.retain, toHex(p.payload)]).toEqual([ref.topic, ref.qos, ref.dup, ref.retain, toHex(ref.payload as Buffer)]);
          if (p.qos > 0) expect(p.id).toBe(ref.messageId);
        }
      }),
      2000,
    );
  });

  test('PUBLISH with DUP at QoS 0 (which mqtt-packet will generate) is refused', () => {
    checkProperty(
      fc.property(topicName, fc.uint8Array({ maxLength: 20 }), (topic, pl) => {
        const bytes = generateRef({ cmd: 'publish', topic, payload: Buffer.from(pl), qos: 0, dup: true, retain: false });
        expect(runFramer(new Framer(1024), [bytes])).toEqual(['ERROR BAD_FLAGS']);
      }),
      100,
    );
  });
});

// --- (c) streams, however they are cut ---------------------------------------------------------

describe('differential (c): a stream of packets decodes the same however it is cut', () => {
  const stream = fc.array(incoming, { minLength: 2, maxLength: 6 });
  const join = (incs: Incoming[]) => {
    const parts = incs.map((i) => generateRef(i.ref));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const p of parts) (out.set(p, pos), (pos += p.length));
    return out;
  };

  test('split at every byte boundary', () => {
    checkProperty(
      fc.property(stream, (incs) => {
        const bytes = join(incs);
        const expected = incs.map((i) => i.expect);
        expect(runFramer(new Framer(1024), [bytes])).toEqual(expected);
        for (let cut = 1; cut < bytes.length; cut++) {
          const got = runFramer(new Framer(1024), splitAt(bytes, [cut]));
          if (got.join('\n') !== expected.join('\n')) expect({ cut, got }).toEqual({ cut, got: expected });
        }
      }),
      60,
    );
  });

  test('split at random points, several at once, with small and default receive buffers', () => {
    checkProperty(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 40 }), fc.constantFrom(320, 1024), (incs, raw, max) => {
        const bytes = join(incs);
        const cuts = [...new Set(raw.map((r) => 1 + (r % Math.max(1, bytes.length - 1))))].filter((c) => c < bytes.length).sort((a, b) => a - b);
        expect(runFramer(new Framer(max), splitAt(bytes, cuts))).toEqual(runFramer(new Framer(max), [bytes]));
        expect(runFramer(new Framer(max), [bytes])).toEqual(incs.map((i) => i.expect));
      }),
      1500,
    );
  });
});

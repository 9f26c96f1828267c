// encodePublish into a PacketWriter (memory the runtime owns, reused for every packet): the same
// bytes as mqtt-packet and as a fresh encode, every result an exact view (byteOffset 0, its own
// length), the memory bounded by the capacity, and refusals unchanged (C-LIMITS-2). Seeded:
// FUZZ_SEED.

import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { BlynkError, ErrorCode } from '../../src/errors';
import { encodePublish, encodeQos0Publish } from '../../src/mqtt/encode';
import type { PublishFields } from '../../src/mqtt/packets';
import { PacketWriter } from '../../src/mqtt/writer';
import { checkProperty, expectError, toHex } from './helpers';

function reference(f: PublishFields): string {
  const p = { cmd: 'publish', topic: f.topic, payload: typeof f.payload === 'string' ? f.payload : Buffer.from(f.payload), qos: f.qos ?? 0, dup: !!f.dup, retain: !!f.retain, messageId: f.id };
  return toHex(new Uint8Array(mqttPacket.generate(p as mqttPacket.IPublishPacket)));
}

function bytes(v: Uint8Array | BlynkError): Uint8Array {
  if (v instanceof BlynkError) throw new Error(`refused: ${v.code} ${v.message}`);
  return v;
}

const topic = fc.oneof(
  fc.string({ unit: fc.constantFrom('d', 's', '/', 'T', 'é', '😀', ' ', '$'), minLength: 1, maxLength: 70 }),
  fc.string({ unit: fc.constantFrom('d', 's', '/', 'T', ' ', '$', '\u0000', '+'), maxLength: 70 }), // ASCII, short and long, some refused
);
const payload = fc.oneof(
  fc.string({ unit: fc.constantFrom('1', '.', 'a', ' ', '\u0000', 'ü'), maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('1', 'a', '\u0000'), minLength: 45, maxLength: 52 }), // around the short-string bound
  fc.string({ maxLength: 1200 }).filter((s) => !/[\ud800-\udfff]/.test(s)),
  fc.uint8Array({ maxLength: 1100 }),
);
const fields = fc.record({
  topic,
  payload,
  qos: fc.constantFrom(0 as const, 1 as const),
  retain: fc.boolean(),
  id: fc.integer({ min: 1, max: 0xffff }),
});

describe('encodePublish into a PacketWriter', () => {
  it('gives mqtt-packet’s bytes, packet after packet in the same memory, as exact views', () => {
    const writer = new PacketWriter(300, 16); // small: growth and the over-capacity path both happen
    checkProperty(
      fc.property(fields, (f) => {
        const limit = 4096;
        const fresh = encodePublish(f, limit);
        const into = encodePublish(f, limit, writer);
        if (fresh instanceof BlynkError) {
          expect(into).toBeInstanceOf(BlynkError);
          expect((into as BlynkError).code).toBe(fresh.code);
          if (f.qos === 0 && !f.retain) expect((encodeQos0Publish(f.topic, f.payload, limit, writer) as BlynkError).code).toBe(fresh.code);
          return;
        }
        const view = bytes(into);
        expect(toHex(view)).toBe(reference(f));
        expect(toHex(view)).toBe(toHex(fresh));
        expect(view.byteOffset).toBe(0);
        expect(view.byteLength).toBe(fresh.length);
        expect(writer.size).toBeLessThanOrEqual(300);
        if (f.qos === 0 && !f.retain) expect(toHex(bytes(encodeQos0Publish(f.topic, f.payload, limit, writer)))).toBe(reference(f));
      }),
      400,
    );
  });

  it('reuses the last topic’s bytes only where they still are: same topic, same offset, not overwritten', () => {
    // Few topics, so the same one often comes twice in a row, with payloads that move the topic
    // (1- and 2-byte remaining lengths), grow the writer, fail half-way (non-ASCII, over the
    // limit) or go to a new array (over capacity).
    const topics = ['ds/Power', 'ds/' + 'T'.repeat(45), 'ds/' + 'L'.repeat(60), 'ds/' + 'M'.repeat(60) + '+', 'ds/' + 'N'.repeat(60) + 'ö', 'ds/Pöwer', 'ds/#'];
    const step = fc.record({
      topic: fc.constantFrom(...topics),
      payload: fc.oneof(
        fc.string({ unit: fc.constantFrom('1', 'a'), maxLength: 500 }),
        fc.string({ unit: fc.constantFrom('1', 'ü'), maxLength: 60 }),
        fc.uint8Array({ maxLength: 200 }),
      ),
    });
    checkProperty(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const writer = new PacketWriter(400, 16); // fresh each run: growth happens along the way
        for (const f of steps) {
          const fresh = encodePublish(f, 1024);
          const into = encodeQos0Publish(f.topic, f.payload, 1024, writer);
          if (fresh instanceof BlynkError) expect((into as BlynkError).code).toBe(fresh.code);
          else expect(toHex(bytes(into))).toBe(reference(f));
        }
      }),
      300,
    );
  });

  it('writes an ASCII publish within capacity into its own memory, and one over capacity into a new array', () => {
    const writer = new PacketWriter(64, 32);
    const a = bytes(encodePublish({ topic: 'ds/Power', payload: '1' }, 1024, writer));
    const b = bytes(encodePublish({ topic: 'ds/Temperature', payload: '21.7' }, 1024, writer));
    expect(b.buffer).toBe(a.buffer); // the same memory, reused
    expect(toHex(a)).toBe(toHex(b.subarray(0, a.length))); // a kept view of the writer shows the newer packet
    expect(toHex(b)).toBe(reference({ topic: 'ds/Temperature', payload: '21.7' }));
    const big = bytes(encodePublish({ topic: 'ds/Terminal', payload: 'x'.repeat(100) }, 1024, writer));
    expect(big.buffer).not.toBe(b.buffer); // 115 bytes > capacity 64: its own array
    expect(big.byteLength).toBe(big.buffer.byteLength);
    expect(writer.size).toBe(32); // and the writer did not grow for it
    const again = bytes(encodePublish({ topic: 'ds/Power', payload: '1' }, 1024, writer));
    expect(again.buffer).toBe(a.buffer);
    expect(toHex(again)).toBe(reference({ topic: 'ds/Power', payload: '1' }));
  });

  it('grows to the largest packet written, doubling, never past its capacity', () => {
    const writer = new PacketWriter(1029, 64);
    bytes(encodePublish({ topic: 'ds/Terminal', payload: 'x'.repeat(100) }, 1024, writer)); // 115 bytes
    expect(writer.size).toBe(128);
    bytes(encodePublish({ topic: 'ds/Terminal', payload: 'x'.repeat(1000) }, 1024, writer)); // 1016 bytes
    expect(writer.size).toBe(1016);
    bytes(encodePublish({ topic: 'ds/Terminal', payload: 'x'.repeat(1011) }, 1024, writer)); // 1027 bytes
    expect(writer.size).toBe(1029);
  });

  it('refuses what it refused without a writer, and encodes the next packet right after a refusal (C-LIMITS-2)', () => {
    // A refusal found while writing (a wildcard in the topic) has scribbled on the writer's
    // memory: harmless, the transport copied the previous packet when it took it.
    const writer = new PacketWriter();
    const e = expectError(encodePublish({ topic: 'ds/Terminal', payload: 'x'.repeat(1100) }, 1024, writer), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 2 + 11 + 1100, limit: 1024 });
    expectError(encodePublish({ topic: 'ds/+', payload: '1' }, 1024, writer), ErrorCode.BAD_TOPIC);
    expectError(encodePublish({ topic: 'ds/x', payload: '1', qos: 2 as 0 }, 1024, writer), ErrorCode.BAD_QOS);
    expectError(encodeQos0Publish('ds/Terminal', 'x'.repeat(1100), 1024, writer), ErrorCode.TOO_LARGE);
    expectError(encodeQos0Publish('', '1', 1024, writer), ErrorCode.BAD_TOPIC);
    expectError(encodeQos0Publish('ds/#', '1', 1024, writer), ErrorCode.BAD_TOPIC);
    expectError(encodeQos0Publish('ds/a\u0000', '1', 1024, writer), ErrorCode.BAD_UTF8);
    expectError(encodeQos0Publish('ds/x', 42 as unknown as string, 1024, writer), ErrorCode.BAD_ARGUMENT);
    const next = bytes(encodePublish({ topic: 'ds/Power', payload: '1' }, 1024, writer));
    expect(toHex(next)).toBe(reference({ topic: 'ds/Power', payload: '1' }));
  });

  it('encodes non-ASCII text correctly after a failed ASCII attempt wrote into its memory', () => {
    const writer = new PacketWriter();
    const f = { topic: 'ds/Name', payload: 'Küche 21°' };
    const out = bytes(encodePublish(f, 1024, writer));
    expect(toHex(out)).toBe(reference(f));
    const next = bytes(encodePublish({ topic: 'ds/Power', payload: '0' }, 1024, writer));
    expect(toHex(next)).toBe(reference({ topic: 'ds/Power', payload: '0' }));
    expect(toHex(out)).toBe(reference(f)); // the UTF-8 one went to its own array
  });
});

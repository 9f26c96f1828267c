// npm run bench:codec: our Framer / encodePublish against mqtt-packet's parser / generate, in
// the same run, on the packets a Blynk device handles, on Node. Every case is printed on its own
// (no mean over cases). Node figures say little about the device: `npm run bench:xs` does.
//
// PARSE: one PUBLISH per transport chunk, as downlinks arrive; both sides yield the topic as a
// string and the payload as a view (mqtt-packet: a Buffer slice). Two tables:
//   cache hits    one topic per case, so our topic cache always hits (the best case);
//   cache misses  64 topics in rotation, which the 16-entry cache can never hold (checked
//                 below by replaying the sequence through a TopicCache: 0 hits), so every
//                 topic string is decoded and allocated, like mqtt-packet does every time.
// GENERATE: the uplink forms. Two rows per case, both against mqtt-packet's generate (which
// returns a new Buffer, from Node's pool for small ones):
//   new array     encodePublish returns a new Uint8Array holding the packet;
//   into writer   encodePublish into a PacketWriter: memory the caller owns and reuses, what
//                 the session does (the transport copies what it keeps, hal/interfaces.ts). The
//                 result is valid until the next encode, which mqtt-packet's is not limited to.
// Left out: the transport (its copy, the syscall), the session and the Blynk layer above it.
//
// Each round measures every case for both codecs, alternating which goes first; per case, the
// median over rounds of each side's ops/s and the median of the per-round ratios.
//
//   npm run bench:codec            the tables
//   npm run bench:codec -- --json  the tables, then one JSON object as the last line
//   --rounds N, --ms M             rounds (default 7) and time per measurement (default 150 ms)

import mqttPacket from 'mqtt-packet';
import { encodePublish } from '../../src/mqtt/encode';
import { FRAME_NEED_MORE, FRAME_PACKET, Framer } from '../../src/mqtt/framer';
import type { PublishFields } from '../../src/mqtt/packets';
import { TopicCache } from '../../src/mqtt/topics';
import { PacketWriter } from '../../src/mqtt/writer';
import { median, numArg, rate, round } from './stats';

interface Case {
  name: string;
  topic: string;
  payload: string;
}

// A 900-byte text payload (a terminal dump / JSON blob): printable ASCII, like real values.
const LONG = Array.from({ length: 900 }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join('');
const ROTATING = 64;

const PARSE_CASES: Case[] = [
  { name: 'downlink/ds/Power = 1', topic: 'downlink/ds/Power', payload: '1' },
  { name: 'downlink/ds/Temperature = 21.7', topic: 'downlink/ds/Temperature', payload: '21.7' },
  { name: 'downlink/ds/Terminal 900 B', topic: 'downlink/ds/Terminal', payload: LONG },
];

const GENERATE_CASES: Case[] = [
  { name: 'ds/Power = 1', topic: 'ds/Power', payload: '1' },
  { name: 'ds/Temperature = 21.7', topic: 'ds/Temperature', payload: '21.7' },
  { name: 'ds/Terminal 900 B', topic: 'ds/Terminal', payload: LONG },
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const ROUNDS = numArg(args, '--rounds', 7);
const MS = numArg(args, '--ms', 150);
const BATCH = 256;

let sink = 0; // results are consumed so no engine can skip the work

/** Operations per second of `batch` (which does BATCH operations), run for about MS. */
function measure(batch: () => void): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) batch();
    const dt = performance.now() - t0;
    if (dt >= MS / 4) {
      const target = Math.max(1, Math.round((reps * MS) / dt));
      const t1 = performance.now();
      for (let i = 0; i < target; i++) batch();
      return (target * BATCH * 1000) / (performance.now() - t1);
    }
    reps *= 2;
  }
}

/** The topics a case uses: its own, or ROTATING variants of it (same length class, different bytes). */
function topics(c: Case, rotating: boolean): string[] {
  if (!rotating) return [c.topic];
  return Array.from({ length: ROTATING }, (_, i) => `${c.topic}${String(i).padStart(2, '0')}`);
}

function wire(topic: string, payload: string): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, dup: false, retain: false } as mqttPacket.IPublishPacket);
}

function oursParse(c: Case, rotating: boolean): () => void {
  const chunks = topics(c, rotating).map((t) => new Uint8Array(wire(t, c.payload))); // one packet per transport chunk
  const framer = new Framer(1024);
  let k = 0;
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) {
      framer.feed(chunks[k]!);
      k = k + 1 === chunks.length ? 0 : k + 1;
      let r: number;
      while ((r = framer.next()) !== FRAME_NEED_MORE) {
        if (r !== FRAME_PACKET) throw new Error('parse failed');
        acc += framer.packet.topic.length + framer.packet.payload.length;
      }
    }
    sink += acc;
  };
}

function theirsParse(c: Case, rotating: boolean): () => void {
  const chunks = topics(c, rotating).map((t) => wire(t, c.payload));
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (packet: mqttPacket.Packet) => {
    const p = packet as mqttPacket.IPublishPacket;
    sink += p.topic.length + (p.payload as Buffer).length;
  });
  parser.on('error', (e: Error) => {
    throw e;
  });
  let k = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      parser.parse(chunks[k]!);
      k = k + 1 === chunks.length ? 0 : k + 1;
    }
  };
}

function oursGenerate(c: Case, writer: PacketWriter | undefined): () => void {
  const f: PublishFields = { topic: c.topic, payload: c.payload, qos: 0 };
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc += (encodePublish(f, 1024, writer) as Uint8Array).length;
    sink += acc;
  };
}

function theirsGenerate(c: Case): () => void {
  const p = { cmd: 'publish', topic: c.topic, payload: c.payload, qos: 0, dup: false, retain: false } as mqttPacket.IPublishPacket;
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc += mqttPacket.generate(p).length;
    sink += acc;
  };
}

/** Same bytes from both encoders (both ways of ours), both parsers agree, and the miss case misses. */
function sanityCheck(): number {
  const writer = new PacketWriter();
  for (const c of GENERATE_CASES) {
    const theirs = wire(c.topic, c.payload);
    for (const ours of [encodePublish({ topic: c.topic, payload: c.payload }), encodePublish({ topic: c.topic, payload: c.payload }, 1024, writer)]) {
      if (!(ours instanceof Uint8Array) || Buffer.compare(Buffer.from(ours), theirs) !== 0) throw new Error(`encoders disagree on ${c.name}`);
    }
  }
  let hits = 0;
  for (const c of PARSE_CASES) {
    const framer = new Framer(1024);
    const cache = new TopicCache();
    for (const t of [...topics(c, true), ...topics(c, true)]) {
      framer.feed(new Uint8Array(wire(t, c.payload)));
      if (framer.next() !== FRAME_PACKET) throw new Error(`parse failed on ${c.name}`);
      const p = framer.packet;
      if (p.topic !== t || Buffer.from(p.payload).toString('utf8') !== c.payload) throw new Error(`parse wrong on ${c.name}`);
      const b = Buffer.from(t);
      if (cache.find(b, 0, b.length) !== null) hits++;
      else cache.add(b, 0, b.length, t);
    }
  }
  return hits;
}

interface Row {
  name: string;
  ours: number[];
  theirs: number[];
  ratios: number[];
}

function run(names: string[], ours: (() => void)[], theirs: (() => void)[]): Row[] {
  const rows: Row[] = names.map((name) => ({ name, ours: [], theirs: [], ratios: [] }));
  for (let i = 0; i < names.length; i++) for (let k = 0; k < 200; k++) ours[i]!(), theirs[i]!(); // warm the JIT
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      let o: number;
      let t: number;
      if (r % 2 === 0) {
        o = measure(ours[i]!);
        t = measure(theirs[i]!);
      } else {
        t = measure(theirs[i]!);
        o = measure(ours[i]!);
      }
      rows[i]!.ours.push(o);
      rows[i]!.theirs.push(t);
      rows[i]!.ratios.push(o / t);
    }
  }
  return rows;
}

function table(title: string, rows: Row[]): string {
  const lines = [title, `  ${'packet'.padEnd(44)}${'ours'.padStart(11)}${'mqtt-packet'.padStart(13)}${'ratio'.padStart(8)}`];
  for (const r of rows) {
    lines.push(`  ${r.name.padEnd(44)}${rate(median(r.ours)).padStart(11)}${rate(median(r.theirs)).padStart(13)}${median(r.ratios).toFixed(2).padStart(8)}`);
  }
  return lines.join('\n');
}

function perCase(rows: Row[]): Record<string, { ours_ops: number; mqtt_packet_ops: number; ratio: number }> {
  const out: Record<string, { ours_ops: number; mqtt_packet_ops: number; ratio: number }> = {};
  for (const r of rows) out[r.name] = { ours_ops: Math.round(median(r.ours)), mqtt_packet_ops: Math.round(median(r.theirs)), ratio: round(median(r.ratios), 3) };
  return out;
}

const missHits = sanityCheck();
if (missHits !== 0) throw new Error(`the rotating topics hit the cache ${missHits} times: the miss case would flatter`);
const names = PARSE_CASES.map((c) => c.name);
const hits = run(names, PARSE_CASES.map((c) => oursParse(c, false)), PARSE_CASES.map((c) => theirsParse(c, false)));
const misses = run(names.map((n) => `${n}, ${ROTATING} topics`), PARSE_CASES.map((c) => oursParse(c, true)), PARSE_CASES.map((c) => theirsParse(c, true)));
const writer = new PacketWriter();
const generate = run(
  GENERATE_CASES.flatMap((c) => [`${c.name}, new array`, `${c.name}, into writer`]),
  GENERATE_CASES.flatMap((c) => [oursGenerate(c, undefined), oursGenerate(c, writer)]),
  GENERATE_CASES.flatMap((c) => [theirsGenerate(c), theirsGenerate(c)]),
);

console.log(`codec bench: ${ROUNDS} rounds, ~${MS} ms per measurement, both sides alternated in each round, node ${process.version}, medians`);
console.log(table('PARSE, topic cache hits (one topic per case)', hits));
console.log(table(`PARSE, topic cache misses (${ROTATING} topics in rotation, 0 cache hits)`, misses));
console.log(table('GENERATE (encodePublish vs mqtt-packet generate)', generate));
if (json) {
  console.log(
    JSON.stringify({
      rounds: ROUNDS,
      parse_hits: perCase(hits),
      parse_misses: perCase(misses),
      generate: perCase(generate),
      min_ratio: {
        parse_hits: round(Math.min(...hits.map((r) => median(r.ratios))), 3),
        parse_misses: round(Math.min(...misses.map((r) => median(r.ratios))), 3),
        generate_new_array: round(Math.min(...generate.filter((_, i) => i % 2 === 0).map((r) => median(r.ratios))), 3),
        generate_into_writer: round(Math.min(...generate.filter((_, i) => i % 2 === 1).map((r) => median(r.ratios))), 3),
      },
      sink: sink > 0,
    }),
  );
}

// Codec throughput: our Framer / encodePublish against mqtt-packet's parser / generate, on the
// packets a Blynk device really handles. Parse uses the incoming downlink forms (one packet per
// transport chunk, as they arrive), generate the uplink forms. Both sides do the same work:
// parse yields the topic string and a payload view (mqtt-packet: topic string, payload Buffer),
// generate yields a new byte array holding the whole packet.
//
// Each round measures every case for both codecs back to back. Per case: the median over the
// rounds of each side's ops/s, and their ratio. The headline ratio (parse_ratio_median,
// generate_ratio_median) is the median over the rounds of the geometric mean of that round's
// per-case ratios, so each case weighs the same whatever its size.
//
//   npm run bench:codec            human-readable table
//   npm run bench:codec -- --json  the table, then one JSON object as the last line
//   --rounds N, --ms M             rounds (default 7) and time per measurement (default 150 ms)

import mqttPacket from 'mqtt-packet';
import { encodePublish } from '../../src/mqtt/encode';
import { FRAME_NEED_MORE, FRAME_PACKET, Framer } from '../../src/mqtt/framer';
import type { PublishFields } from '../../src/mqtt/packets';

interface Case {
  name: string;
  topic: string;
  payload: string;
  qos: 0 | 1;
}

// A 900-byte text payload (a terminal dump / JSON blob): printable ASCII, like real values.
const LONG = Array.from({ length: 900 }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join('');

const PARSE_CASES: Case[] = [
  { name: 'downlink/ds/Power = 1', topic: 'downlink/ds/Power', payload: '1', qos: 0 },
  { name: 'downlink/ds/Temperature = 21.7', topic: 'downlink/ds/Temperature', payload: '21.7', qos: 0 },
  { name: 'downlink/ds/Terminal 900 B', topic: 'downlink/ds/Terminal', payload: LONG, qos: 0 },
];

const GENERATE_CASES: Case[] = [
  { name: 'ds/Power = 1', topic: 'ds/Power', payload: '1', qos: 0 },
  { name: 'ds/Temperature = 21.7', topic: 'ds/Temperature', payload: '21.7', qos: 0 },
  { name: 'ds/Terminal 900 B', topic: 'ds/Terminal', payload: LONG, qos: 0 },
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const ROUNDS = numArg('--rounds', 7);
const MS = numArg('--ms', 150);

function numArg(name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : dflt;
}

let sink = 0; // results are consumed so no engine can skip the work

/** Operations per second of `batch` (which does `perBatch` operations), run for about MS. */
function measure(batch: () => void, perBatch: number): number {
  // Calibrate the batch count to ~MS, then time it.
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) batch();
    const dt = performance.now() - t0;
    if (dt >= MS / 4) {
      const target = Math.max(1, Math.round((reps * MS) / dt));
      const t1 = performance.now();
      for (let i = 0; i < target; i++) batch();
      const dt1 = performance.now() - t1;
      return (target * perBatch * 1000) / dt1;
    }
    reps *= 2;
  }
}

const BATCH = 256;

function oursParse(c: Case): () => void {
  const bytes = mqttPacket.generate({ cmd: 'publish', topic: c.topic, payload: c.payload, qos: c.qos, dup: false, retain: false, messageId: c.qos ? 1 : undefined } as mqttPacket.IPublishPacket);
  const chunk = new Uint8Array(bytes); // a transport chunk holding one packet
  const framer = new Framer(1024);
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) {
      framer.feed(chunk);
      let r: number;
      while ((r = framer.next()) !== FRAME_NEED_MORE) {
        if (r !== FRAME_PACKET) throw new Error('parse failed');
        acc += framer.packet.topic.length + framer.packet.payload.length;
      }
    }
    sink += acc;
  };
}

function theirsParse(c: Case): () => void {
  const chunk = mqttPacket.generate({ cmd: 'publish', topic: c.topic, payload: c.payload, qos: c.qos, dup: false, retain: false, messageId: c.qos ? 1 : undefined } as mqttPacket.IPublishPacket);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (packet: mqttPacket.Packet) => {
    const p = packet as mqttPacket.IPublishPacket;
    sink += p.topic.length + (p.payload as Buffer).length;
  });
  parser.on('error', (e: Error) => {
    throw e;
  });
  return () => {
    for (let i = 0; i < BATCH; i++) parser.parse(chunk);
  };
}

function oursGenerate(c: Case): () => void {
  const f: PublishFields = { topic: c.topic, payload: c.payload, qos: c.qos, id: c.qos ? 1 : undefined };
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc += (encodePublish(f) as Uint8Array).length;
    sink += acc;
  };
}

function theirsGenerate(c: Case): () => void {
  const p = { cmd: 'publish', topic: c.topic, payload: c.payload, qos: c.qos, dup: false, retain: false, messageId: c.qos ? 1 : undefined } as mqttPacket.IPublishPacket;
  return () => {
    let acc = 0;
    for (let i = 0; i < BATCH; i++) acc += mqttPacket.generate(p).length;
    sink += acc;
  };
}

/** Same bytes from both encoders, and both parsers agree, before anything is timed. */
function sanityCheck(): void {
  for (const c of GENERATE_CASES) {
    const ours = encodePublish({ topic: c.topic, payload: c.payload, qos: c.qos, id: c.qos ? 1 : undefined });
    const theirs = mqttPacket.generate({ cmd: 'publish', topic: c.topic, payload: c.payload, qos: c.qos, dup: false, retain: false, messageId: c.qos ? 1 : undefined } as mqttPacket.IPublishPacket);
    if (!(ours instanceof Uint8Array) || Buffer.compare(Buffer.from(ours), theirs) !== 0) throw new Error(`encoders disagree on ${c.name}`);
  }
  for (const c of PARSE_CASES) {
    const bytes = mqttPacket.generate({ cmd: 'publish', topic: c.topic, payload: c.payload, qos: c.qos, dup: false, retain: false } as mqttPacket.IPublishPacket);
    const framer = new Framer(1024);
    framer.feed(new Uint8Array(bytes));
    if (framer.next() !== FRAME_PACKET) throw new Error(`parse failed on ${c.name}`);
    const p = framer.packet;
    if (p.topic !== c.topic || Buffer.from(p.payload).toString('utf8') !== c.payload) throw new Error(`parse wrong on ${c.name}`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

interface Row {
  name: string;
  ours: number[];
  theirs: number[];
}

function run(cases: Case[], ours: (c: Case) => () => void, theirs: (c: Case) => () => void): { rows: Row[]; roundRatios: number[] } {
  const rows: Row[] = cases.map((c) => ({ name: c.name, ours: [], theirs: [] }));
  const fnsOurs = cases.map(ours);
  const fnsTheirs = cases.map(theirs);
  // Warm both up so the first round is not the JIT's.
  for (let i = 0; i < cases.length; i++) {
    for (let k = 0; k < 200; k++) fnsOurs[i]!(), fnsTheirs[i]!();
  }
  const roundRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ratios: number[] = [];
    for (let i = 0; i < cases.length; i++) {
      const o = measure(fnsOurs[i]!, BATCH);
      const t = measure(fnsTheirs[i]!, BATCH);
      rows[i]!.ours.push(o);
      rows[i]!.theirs.push(t);
      ratios.push(o / t);
    }
    roundRatios.push(geomean(ratios)); // each case weighs the same, whatever its size
  }
  return { rows, roundRatios };
}

function fmt(opsPerSec: number): string {
  return opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(2)} M/s` : `${(opsPerSec / 1e3).toFixed(1)} k/s`;
}

function table(title: string, rows: Row[], ratio: number): string {
  const lines = [title, `${'packet'.padEnd(34)}${'ours'.padStart(12)}${'mqtt-packet'.padStart(14)}${'ratio'.padStart(9)}`];
  for (const r of rows) {
    const o = median(r.ours);
    const t = median(r.theirs);
    lines.push(`${r.name.padEnd(34)}${fmt(o).padStart(12)}${fmt(t).padStart(14)}${(o / t).toFixed(2).padStart(9)}`);
  }
  lines.push(`${'median over rounds of the geomean ratio'.padEnd(60)}${ratio.toFixed(2).padStart(9)}`);
  return lines.join('\n');
}

function perCase(rows: Row[]): Record<string, { ours_ops: number; mqtt_packet_ops: number; ratio: number }> {
  const out: Record<string, { ours_ops: number; mqtt_packet_ops: number; ratio: number }> = {};
  for (const r of rows) {
    const o = median(r.ours);
    const t = median(r.theirs);
    out[r.name] = { ours_ops: Math.round(o), mqtt_packet_ops: Math.round(t), ratio: Number((o / t).toFixed(3)) };
  }
  return out;
}

sanityCheck();
const parse = run(PARSE_CASES, oursParse, theirsParse);
const generate = run(GENERATE_CASES, oursGenerate, theirsGenerate);
const parseRatio = median(parse.roundRatios);
const generateRatio = median(generate.roundRatios);

console.log(`codec bench: ${ROUNDS} rounds, ~${MS} ms per measurement, node ${process.version}, medians`);
console.log(table('PARSE (Framer.feed/next vs mqtt-packet parser)', parse.rows, parseRatio));
console.log(table('GENERATE (encodePublish vs mqtt-packet generate)', generate.rows, generateRatio));
if (json) {
  console.log(
    JSON.stringify({
      rounds: ROUNDS,
      parse_ratio_median: Number(parseRatio.toFixed(3)),
      generate_ratio_median: Number(generateRatio.toFixed(3)),
      parse: perCase(parse.rows),
      generate: perCase(generate.rows),
      sink: sink > 0,
    }),
  );
}

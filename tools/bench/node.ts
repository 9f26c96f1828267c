// npm run bench:node: the receive path on Node over real TCP on 127.0.0.1, for the npm users.
// A sender in its own process (node-sender.ts) pushes downlink/ds/<name> PUBLISHes (8 names,
// values like "21.7", about 30 bytes a packet, cut by TCP wherever it likes) as fast as the
// socket takes them, while the device publishes a value every 10 ms. Receivers, alternated in
// the same run, each in a fresh process of its own (node-receiver.ts) getting the same stream:
//   runtime   BlynkDevice on the Node HAL: onWrite(name) handlers get each value as a string
//   mqtt.js   the `mqtt` package: on 'message', the same handlers get topic.slice(12) and
//             payload.toString() (the name and the value string, which the runtime hands out)
// Each receiver first takes a warm-up stream of 200,000 (not measured: the JIT compiles the
// hot path), then the measured one. Measured: messages per second from the first message
// to the last; the JS heap (heapUsed) after a forced GC before and after the stream, and the
// largest value sampled every 25 ms during it (uncollected garbage included); the receiver's
// event-loop utilization (below 1: it waited for bytes); the uplinks the sender got. Each
// handler adds up the value lengths, checked against the stream, so no side can skip work.
// Left out: TLS and WebSocket (plain TCP only), QoS 1, the sender's cost (another process);
// the machine may be shared, so the ratio within a round means more than any one figure.
//
//   npm run bench:node                 the table
//   npm run bench:node -- --json       the table, then one JSON object as the last line
//   --messages N (per measured stream, default 1000000), --rounds R (default 3), --side runtime|mqtt.js
//   (one receiver only); BENCH_CPU_PROF=<dir> writes each receiver's CPU profile there
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result, Side } from './node-receiver';
import { valueOf } from './node-stream';
import { median, numArg, range, round } from './stats';

const args = process.argv.slice(2);
const json = args.includes('--json');
const MESSAGES = numArg(args, '--messages', 1_000_000);
const WARMUP = 200_000;
const ROUNDS = numArg(args, '--rounds', 3);
const ONLY = args.includes('--side') ? (args[args.indexOf('--side') + 1] as Side) : undefined;
const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Run extends Result {
  side: Side;
  msgs_per_s: number;
  /** PUBLISHes the sender got from the device during the measured stream, and the 10 ms writes due in it. */
  uplinks: number;
  due: number;
}

/** A child process speaking { op, ... } messages. */
class Child {
  private readonly proc: ChildProcess;
  private waiters: { op: string; resolve: (m: Record<string, number>) => void; reject: (e: Error) => void }[] = [];

  constructor(file: string, argv: string[]) {
    // BENCH_CPU_PROF=<dir>: each receiver writes a CPU profile there (node --cpu-prof).
    const prof = process.env.BENCH_CPU_PROF && file === 'node-receiver.ts' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    this.proc = fork(path.join(HERE, file), argv, { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: Record<string, number> & { op: string; error?: string }) => {
      if (process.env.BENCH_DEBUG) console.error(file, JSON.stringify(m)); // BENCH_DEBUG=1: the IPC traffic
      if (m.op === 'failed') {
        for (const w of this.waiters.splice(0)) w.reject(new Error(m.error));
        return;
      }
      const i = this.waiters.findIndex((w) => w.op === m.op);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    });
    this.proc.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${file} exited (${code}) while we waited for ${w.op}`));
    });
  }

  next(op: string): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => this.waiters.push({ op, resolve, reject }));
  }

  tell(m: object): void {
    this.proc.send(m);
  }

  exited(): Promise<void> {
    return new Promise((r) => (this.proc.exitCode !== null ? r() : this.proc.once('exit', () => r())));
  }
}

async function once(sender: Child, port: number, blockMessages: number, side: Side): Promise<Run> {
  const count = Math.ceil(MESSAGES / blockMessages) * blockMessages;
  const warmup = Math.ceil(Math.min(MESSAGES, WARMUP) / blockMessages) * blockMessages;
  let perBlock = 0;
  for (let i = 0; i < blockMessages; i++) perBlock += valueOf(i).length;
  const lengthsOf = (n: number): number => (n / blockMessages) * perBlock;
  const connected = sender.next('connected');
  const rx = new Child('node-receiver.ts', [side, String(port)]);
  const online = rx.next('online');
  await connected;
  await online;
  await new Promise((r) => setTimeout(r, 100)); // info/mcu, SUBACK and the like settle
  let result: Record<string, number> = {};
  let uplinks = 0;
  for (const measure of [false, true]) {
    const n = measure ? count : warmup;
    const ready = rx.next('ready');
    rx.tell({ op: 'expect', count: n, lengths: lengthsOf(n), measure });
    await ready;
    const before = (await ask(sender, 'uplinks')).count!;
    const done = rx.next('done');
    const sent = sender.next('sent');
    sender.tell({ op: 'go', count: n });
    result = await done;
    await sent;
    await new Promise((r) => setTimeout(r, 30)); // the last uplinks arrive
    uplinks = (await ask(sender, 'uplinks')).count! - before;
  }
  rx.tell({ op: 'quit' });
  await rx.exited();
  const r = result as unknown as Result;
  return { ...r, side, msgs_per_s: ((count - 1) / r.ms) * 1000, uplinks, due: Math.floor(r.ms / 10) };
}

function ask(c: Child, op: string): Promise<Record<string, number>> {
  const r = c.next(op);
  c.tell({ op });
  return r;
}

const mb = (b: number): string => (b / 1048576).toFixed(1);

async function main(): Promise<void> {
  const sender = new Child('node-sender.ts', []);
  const listening = await sender.next('listening');
  const runs: Run[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order: Side[] = ONLY ? [ONLY] : r % 2 === 0 ? ['runtime', 'mqtt.js'] : ['mqtt.js', 'runtime'];
      for (const side of order) runs.push(await once(sender, listening.port!, listening.block_messages!, side));
    }
  } finally {
    sender.tell({ op: 'quit' });
  }
  const count = Math.ceil(MESSAGES / listening.block_messages!) * listening.block_messages!;
  const line = (cells: (string | number)[]): string => cells.map((c, i) => (i < 2 ? String(c).padEnd(i === 0 ? 6 : 9) : String(c).padStart(10))).join(' ');
  console.log(`Node receive path over TCP on 127.0.0.1: ${count.toLocaleString('en')} downlinks per stream from a sender process, a device write every 10 ms,`);
  console.log(`each receiver in a fresh process (a warm-up stream of ${WARMUP.toLocaleString('en')}, then the measured one), ${ROUNDS} rounds alternating which goes first, node ${process.version}`);
  console.log(line(['round', 'receiver', 'msgs/s', 'stream s', 'busy', 'heap MB', 'peak MB', 'after MB', 'uplinks/due']));
  runs.forEach((x, i) => {
    const r = ONLY ? i + 1 : Math.floor(i / 2) + 1;
    console.log(line([r, x.side, Math.round(x.msgs_per_s), (x.ms / 1000).toFixed(2), x.elu.toFixed(2), mb(x.heap_before), mb(x.heap_peak), mb(x.heap_after), `${x.uplinks}/${x.due}`]));
  });
  const of = (side: Side): Run[] => runs.filter((x) => x.side === side);
  const summary = (side: Side) => {
    const xs = of(side);
    if (xs.length === 0) return undefined;
    const growth = range(xs.map((x) => x.heap_after - x.heap_before));
    return {
      msgs_per_s: Math.round(median(xs.map((x) => x.msgs_per_s))),
      heap_before_mb: round(median(xs.map((x) => x.heap_before)) / 1048576, 1),
      heap_peak_mb: round(median(xs.map((x) => x.heap_peak)) / 1048576, 1),
      heap_after_mb: round(median(xs.map((x) => x.heap_after)) / 1048576, 1),
      heap_growth_kb: { min: round(growth.min / 1024, 0), max: round(growth.max / 1024, 0) },
      busy: round(median(xs.map((x) => x.elu)), 2),
      uplinks_per_stream: Math.round(median(xs.map((x) => x.uplinks))),
      uplinks_due_per_stream: Math.round(median(xs.map((x) => x.due))),
      writes_refused: xs.reduce((n, x) => n + x.refused, 0),
      stream_s: round(median(xs.map((x) => x.ms)) / 1000, 2),
    };
  };
  const ours = summary('runtime');
  const theirs = summary('mqtt.js');
  let ratio: number | undefined;
  if (ours && theirs) {
    const ratios = Array.from({ length: ROUNDS }, (_, r) => of('runtime')[r]!.msgs_per_s / of('mqtt.js')[r]!.msgs_per_s);
    ratio = median(ratios);
    console.log(`runtime / mqtt.js msgs/s: ${ratio.toFixed(2)} (median of the rounds' ratios ${ratios.map((x) => x.toFixed(2)).join(', ')})`);
    console.log(`heap after the stream minus before (both after a GC): runtime ${ours.heap_growth_kb.min}..${ours.heap_growth_kb.max} KB, mqtt.js ${theirs.heap_growth_kb.min}..${theirs.heap_growth_kb.max} KB`);
  }
  console.log('heap MB: heapUsed after a GC, before the measured stream; peak: the largest sampled during it (garbage too); after: after a GC at its end.');
  console.log('busy: event-loop utilization of the receiver during the stream (below 1: it waited for the sender or the kernel).');
  console.log('uplinks/due: PUBLISHes the sender got during the stream / 10 ms writes due in it. A receiver busy with the stream runs its');
  console.log('timers late (Node reads up to 32 chunks per turn of its loop), on both sides.');
  if (json) console.log(JSON.stringify({ messages_per_stream: count, rounds: ROUNDS, ratio: ratio === undefined ? null : round(ratio, 3), runtime: ours ?? null, mqtt_js: theirs ?? null }));
}

main().catch((e) => {
  process.stderr.write(`bench:node failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

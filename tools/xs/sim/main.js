// The app of the simulator bench (tools/xs/sim-bench.ts copies it next to the bundles): this
// runtime's device stage and the Moddable SDK client's stage, same chunks, one round (1,000
// messages) per timer tick so the simulator's own work runs between rounds, in alternating
// blocks. Within a round (synchronous) the instruments change only by what the round did: the
// collections it caused, and, in a round without one, the chunk bytes and slots it allocated.
import "sim-globals";
import Timer from "timer";
import Debug from "debug";
import Instrumentation from "instrumentation";
import config from "mc/config";
import { stages as ours } from "xs-sim-ours";
import { stages as theirs } from "xs-sim-sdk";

const GC = Instrumentation.map("XS Garbage Collection Count");
const CHUNK = Instrumentation.map("XS Chunk Heap Used");
const SLOT = Instrumentation.map("XS Slot Heap Used");
if (GC === undefined || CHUNK === undefined || SLOT === undefined) throw new Error("[simbench] the instruments are not there");
const ROUNDS = Number(config.rounds);
const BLOCKS = Number(config.blocks);

const made = { device: ours.device(), sdk: theirs.sdk() };
const order = ["device", "sdk"];
const acc = {};
for (const name of order) {
  acc[name] = { ms: 0, messages: 0, gcs: 0, cleanMessages: 0, chunkBytes: 0, slotBytes: 0, chunkFree: 0, slotFree: 0 };
  for (let i = 0; i < 3; i++) made[name].round(); // warm (topic cache, maps)
}

function block(i) {
  if (i >= BLOCKS * order.length) {
    trace(`[simbench] result ${JSON.stringify(acc)}\n`);
    trace("[simbench] done\n");
    return;
  }
  const name = order[i % order.length];
  const s = made[name];
  const a = acc[name];
  Debug.gc();
  a.chunkFree = Number(config.chunks) - Instrumentation.get(CHUNK);
  a.slotFree = Number(config.slots) - Instrumentation.get(SLOT);
  let r = 0;
  const step = () => {
    const g0 = Instrumentation.get(GC);
    const c0 = Instrumentation.get(CHUNK);
    const s0 = Instrumentation.get(SLOT);
    const n0 = s.count();
    const t0 = Date.now();
    s.round();
    const t1 = Date.now();
    const n = s.count() - n0;
    const g = Instrumentation.get(GC) - g0;
    a.ms += t1 - t0;
    a.messages += n;
    a.gcs += g;
    if (g === 0) {
      a.cleanMessages += n;
      a.chunkBytes += Instrumentation.get(CHUNK) - c0;
      a.slotBytes += Instrumentation.get(SLOT) - s0;
    }
    if (++r < ROUNDS) Timer.set(step, 0);
    else Timer.set(() => block(i + 1), 0);
  };
  Timer.set(step, 0);
}

trace("[simbench] start\n");
Timer.set(() => block(0), 100);

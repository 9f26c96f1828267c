import { buildTarget } from './tools/xs/build';
import { XsWorker } from './tools/xs/worker';
const b = await buildTarget({ name: 'blynk-probe2', entry: '/tmp/probe/entry2.ts' }, '/tmp/probe/out');
const w = await XsWorker.start({ name: 'probe' });
await w.importModule(b);
for (const op of ['f64', 'hit', 'simple', 'dv', 'fcc', 'td']) {
  await w.command(new TextEncoder().encode(op));
  const t = performance.now();
  const r = await w.command(new TextEncoder().encode(op));
  console.log(op, r.meter.compute, r.meter.currentHeapCount, (performance.now() - t).toFixed(2), 'ms');
}
await w.close();

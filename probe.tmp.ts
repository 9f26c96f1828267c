import { buildTarget } from './tools/xs/build';
import { XsWorker } from './tools/xs/worker';
const b = await buildTarget({ name: 'blynk-probe', entry: '/tmp/probe/entry.ts' }, '/tmp/probe/out');
const w = await XsWorker.start({ name: 'probe' });
await w.importModule(b);
for (const op of ['utf8','utf8','decodePublish','find','set8','topicLen','noop', 'framer', 'find', 'decodePublish', 'utf8', 'loop', 'bytes']) {
  await w.command(new TextEncoder().encode(op));
  const r = await w.command(new TextEncoder().encode(op));
  console.log(op, r.meter.compute, new TextDecoder().decode(r.bytes));
}
await w.close();

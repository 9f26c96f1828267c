import { buildTarget, buildXs } from './tools/xs/build';
import { XsWorker } from './tools/xs/worker';
await buildXs(['blynk-xs-mock']);
const b = await buildTarget({ name: 'xs-fp', entry: '/tmp/probe/fp.ts' });
const w = await XsWorker.start({ name: 'fp' });
await w.importModule(b);
const r = await w.command(new Uint8Array(1));
console.log(new TextDecoder().decode(r.bytes));
await w.close();

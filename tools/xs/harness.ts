// Starting a bench bundle inside xsnap: the static Node-globals check, the worker, a JSON
// request/answer `ask`, and what one crank costs by itself (subtracted from every round). Shared
// by bench:xs and bench:send.
import { readFileSync } from 'node:fs';
import { median } from '../bench/stats';
import { checkBundle, formatFindings } from './globals-check';
import { XsWorker, type MeterUsage } from './worker';

export interface Box {
  ask: (q: unknown) => Promise<{ reply: Record<string, number>; meter: MeterUsage }>;
  overhead: number;
  /** Live slots after this worker's last crank: stages sharing a worker share its heap. */
  last: number;
  start: number;
}

export async function startWorker(bundle: string, name: string, debug?: boolean): Promise<{ worker: XsWorker; box: Box }> {
  const findings = checkBundle(readFileSync(bundle, 'utf8'), { allowRelative: true });
  if (findings.length > 0) throw new Error(`the bench bundle uses Node globals:\n${formatFindings(bundle, findings)}`);
  const worker = await XsWorker.start({ name, debug });
  const ask: Box['ask'] = async (q) => {
    const r = await worker.command(new TextEncoder().encode(JSON.stringify(q)));
    return { reply: JSON.parse(new TextDecoder().decode(r.bytes)) as Record<string, number>, meter: { ...r.meter } };
  };
  await worker.importModule(bundle);
  // What a crank costs by itself (the request, the JSON answer): subtracted from each round.
  const empties: number[] = [];
  let prev = (await ask({ op: 'noop' })).meter.currentHeapCount;
  for (let i = 0; i < 20; i++) {
    const m = (await ask({ op: 'noop' })).meter.currentHeapCount;
    empties.push(m - prev);
    prev = m;
  }
  return { worker, box: { ask, overhead: median(empties), last: 0, start: 0 } };
}

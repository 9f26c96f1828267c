// A survey of the hostile tier: run N generated cases without stopping at the first violation
// and count the cases that broke each invariant (how the tier was run against the code before
// the issue-10 fixes). Usage: npx tsx test/support/hostile/survey.ts [cases] [seed]
import { randomCase, runCase } from './case';
import { nodeHost } from './node-host';

const n = Number(process.argv[2] ?? 3000);
const seed = Number(process.argv[3] ?? 4242);
const tally = new Map<string, { cases: number; example: string }>();
const t0 = Date.now();
for (let k = 0; k < n; k++) {
  const kinds = new Map<string, string>();
  for (const x of await runCase(randomCase(seed + k), seed + k, nodeHost, { all: true })) if (!kinds.has(x.split(' ')[0]!)) kinds.set(x.split(' ')[0]!, x);
  for (const [k, x] of kinds) {
    const t = tally.get(k) ?? { cases: 0, example: x.slice(0, 160) };
    t.cases++;
    tally.set(k, t);
  }
}
console.log(`${n} cases (seed ${seed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const [k, t] of [...tally].sort()) console.log(`${k.padEnd(4)} ${String(t.cases).padStart(5)} cases, e.g. ${t.example}`);

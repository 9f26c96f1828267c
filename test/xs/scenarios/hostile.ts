// A short run of the hostile tier inside XS: the same generated cases and invariants as jest
// (test/support/hostile/case.ts) on the bundled runtime. xsnap has no setImmediate and no
// unhandled-rejection hook: promises settle over a few promise turns, and rejections that
// escape are not seen here (the jest run checks those).
import { randomCase, runCase, type CaseHost } from '../../support/hostile/case';
import { fail } from './assert';

export const XS_HOSTILE_CASES = 200;
const FIRST_SEED = 20261201;

const xsHost: CaseHost = {
  async settle() {
    for (let i = 0; i < 20; i++) await null;
  },
};

export async function hostileCases(): Promise<void> {
  for (let i = 0; i < XS_HOSTILE_CASES; i++) {
    const seed = FIRST_SEED + i;
    const v = await runCase(randomCase(seed), seed, xsHost);
    if (v.length) fail(`case seed ${seed}: ${v.join(' | ')}`);
  }
}

// The pure policies inside XS: exactly the cases jest runs (test/support/policy-cases.ts).
import { POLICY_CASES } from '../../support/policy-cases';
import { fail } from './assert';

export function policyCases(): void {
  for (const [name, run] of POLICY_CASES) {
    try {
      run();
    } catch (e) {
      fail(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

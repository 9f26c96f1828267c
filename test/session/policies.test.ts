// The pure policies (reconnect, redirect, OTA) in jest; the same cases run inside XS too.
import { POLICY_CASES } from '../support/policy-cases';

describe('policies', () => {
  test.each(POLICY_CASES)('%s', (_name, run) => run());
});

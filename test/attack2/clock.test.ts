// Second attacker, keepalive clock-shift logic (src/session/keepalive.ts check()).
import { createMockHal } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';
import { run } from '../attack/helpers';

const K = 45_000;

function jumpyDevice() {
  const hal = createMockHal();
  let offset = 0;
  const clock = { now: () => hal.time.now() + offset };
  const broker = new FakeBroker(hal);
  const client = new BlynkClient({ ...hal, clock }, { token: TOKEN, templateId: 'TMPL0001' });
  const timeouts: number[] = [];
  client.events.on('error', (e) => e.code === 'KEEPALIVE_TIMEOUT' && timeouts.push(hal.time.now()));
  return { hal, broker, client, timeouts, jump: (ms: number) => (offset += ms) };
}

test('C-KEEPALIVE-1: the clock steps back, then a downlink arrives before the keepalive timer: a live link is not declared dead', () => {
  const d = jumpyDevice();
  d.client.start();
  run(d.hal, 2000);
  expect(d.client.online).toBe(true);
  d.jump(-3_600_000);
  run(d.hal, 1000);
  d.broker.push('downlink/ds/Power', '1'); // the link is alive, stamped on the new clock
  run(d.hal, 3 * K, 100);
  expect(d.timeouts).toEqual([]);
});

// (A clock running at half speed is out of scope: the HAL's clock is milliseconds by contract,
// and no timer-based rule can tell a slow clock from a quiet link.)

// Attack with a clock that jumps (hal/interfaces.ts says Clock.now() is monotonic, so this is a
// HAL breaking its contract; ModdableClock defends against it, other HALs may not): is the
// keepalive rule "dead after 1.5 x keepalive without a packet" still kept? The timers keep
// firing on virtual time; only the clock the core reads jumps.
import { createMockHal } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';
import { run } from './helpers';

const K = 45_000;

function jumpyDevice() {
  const hal = createMockHal();
  let offset = 0;
  const clock = { now: () => hal.time.now() + offset };
  const jumpyHal = { ...hal, clock };
  const broker = new FakeBroker(hal);
  const client = new BlynkClient(jumpyHal, { token: TOKEN, templateId: 'TMPL0001' });
  return { hal, broker, client, jump: (ms: number) => (offset += ms) };
}

test('the clock steps back one hour while online and the broker goes silent: the link is still declared dead within 1.5 x keepalive + 1 s', () => {
  const d = jumpyDevice();
  d.client.start();
  run(d.hal, 2000);
  expect(d.client.online).toBe(true);
  d.broker.answerPings = false;
  const dead: number[] = [];
  d.client.events.on('error', (e) => e.code === 'KEEPALIVE_TIMEOUT' && dead.push(d.hal.time.now()));
  const at = d.hal.time.now();
  d.jump(-3_600_000);
  run(d.hal, 1.5 * K + 1000, 100);
  // Declared dead in time (the device may then reconnect: the broker still accepts connections).
  expect(dead.length).toBeGreaterThanOrEqual(1);
  expect(dead[0]! - at).toBeLessThanOrEqual(1.5 * K + 1000);
});

test('held: the clock steps forward one hour: the link is declared dead (a false alarm at worst), and the device reconnects', () => {
  const d = jumpyDevice();
  d.client.start();
  run(d.hal, 2000);
  d.jump(3_600_000);
  run(d.hal, 2 * K, 100);
  expect(d.client.online).toBe(true);
});

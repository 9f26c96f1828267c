// Second attacker as a careless application: a maxPacket the validator accepts (>= 64) but too
// small for the session's own info/mcu: the device must not come online silently without it.
import { makeDevice, bringOnline } from '../support/device';

test('C-SESSION / C-APP-3: maxPacket 64 (accepted by resolveConfig): info/mcu is sent, or the config is refused', () => {
  let d: ReturnType<typeof makeDevice>;
  try {
    d = makeDevice({ maxPacket: 64 });
  } catch {
    return; // refused up front: fine
  }
  bringOnline(d);
  const info = d.broker.packets('publish').filter((p) => (p as { topic: string }).topic === 'info/mcu');
  expect({ info: info.length, errors: d.errors.map((e) => e.code) }).toEqual({ info: 1, errors: [] });
});

// While a configuration runs, Wi-Fi that drops is joined again (Edgent: RUNNING -> CONNECTING_NET
// when WiFi.status() is not connected); the Moddable SDK does not rejoin by itself.

import type { Hal, WifiJoin } from '../../hal/interfaces';
import type { Logger } from '../util/log';
import type { WifiConfig } from './config';

/** Every `everyMs`: if the network is down and no join is under way, start one. `stop` ends it, a join too. */
export function watchWifi(hal: Hal, c: WifiConfig, o: { joinTimeoutMs: number; everyMs: number }, current: () => boolean, log: Logger): { stop(): void } {
  let join: WifiJoin | undefined;
  const handle = hal.timers.repeat(() => {
    const wifi = hal.provisioning?.wifi;
    if (!current()) return stop();
    if (!wifi || join || hal.network.isUp()) return;
    log.info(`Wi-Fi is down; joining "${c.ssid}" again`);
    try {
      join = wifi.join(c.ssid, c.pass, o.joinTimeoutMs, (failure) => {
        join = undefined;
        if (failure && current()) log.warn(`could not join "${c.ssid}" again (${failure})`);
      });
    } catch {
      join = undefined;
    }
  }, o.everyMs);
  const stop = () => {
    hal.timers.clear(handle);
    join?.cancel();
    join = undefined;
  };
  return { stop };
}

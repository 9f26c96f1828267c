// The demo device: a small thermostat on the device API. Portable (the runtime and a HAL, nothing
// else), so the same code runs on Node and inside XS. It publishes the room temperature, obeys
// a power switch and a setpoint, and says what it does through `say`.
import type { Hal } from '../../hal/interfaces';
import type * as Core from '../../src/index';
import type { BlynkDevice, DeviceOptions } from '../../src/index';

/** The runtime's exports: from src/ on Node, from the runtime bundle inside XS (never two copies). */
export type Runtime = Pick<typeof Core, 'BlynkDevice' | 'asBoolean' | 'asNumber' | 'maskToken'>;

export interface ThermostatOptions {
  token: string;
  templateId: string;
  version: string;
  /** Build time (info/mcu `build`): the demo's "image" says when it was built; default the runtime's. */
  build?: string;
  server?: string;
  /** Seconds between temperature reports. */
  reportEverySec?: number;
  /** Extra device options (e.g. a faster backoff for the demo). */
  device?: Partial<DeviceOptions>;
}

export interface Thermostat {
  readonly device: BlynkDevice;
  stop(): void;
}

export function startThermostat(rt: Runtime, hal: Hal, o: ThermostatOptions, say: (line: string) => void): Thermostat {
  const { asBoolean, asNumber, maskToken } = rt;
  const device = new rt.BlynkDevice({
    hal,
    token: o.token,
    templateId: o.templateId,
    firmware: { version: o.version, ...(o.build ? { build: o.build } : {}) },
    ...(o.server ? { server: o.server } : {}),
    ...(o.device ?? {}),
  });
  let power = false;
  let setpoint = 21;
  let temperature = 19.5;

  say(`firmware ${o.version}, token ${maskToken(o.token)}${device.storedEndpoint ? `, stored endpoint ${device.storedEndpoint}` : ''}`);
  device.on('state', (s) => {
    if (s.to === 'connecting' || s.to === 'backoff' || s.to === 'auth-failed' || s.to === 'waiting-network') say(`${s.to}: ${s.reason}`);
  });
  device.on('online', () => {
    say(`online at ${device.endpoint} (downlink/# subscribed, info/mcu sent)`);
    device.sync('Power', 'Set Temperature');
  });
  device.on('redirect', (r) => say(`redirect to ${r.to} ${r.persisted ? 'stored in flash' : 'NOT stored'}; reconnecting`));
  device.on('error', (e) => say(`error ${e.code}: ${e.message}`));
  device.on('ping', () => say('ping from the console: acknowledged'));
  device.on('ota', (p) => {
    if (p.phase === 'downloading') say(`OTA: downloading firmware ${p.offer.ver ?? '?'} (${p.offer.size} bytes)`);
    if (p.phase === 'done') say(`OTA: ${p.received} bytes written and verified; rebooting into ${p.offer.ver ?? 'it'}`);
  });
  device.onWrite('Power', (v) => {
    power = asBoolean(v);
    say(`Power = ${v}: heater ${power ? 'on' : 'off'}`);
  });
  device.onWrite('Set Temperature', (v) => {
    const t = asNumber(v);
    if (Number.isFinite(t)) {
      setpoint = t;
      say(`Set Temperature = ${t} °C`);
    }
  });

  // The "room": warms towards the setpoint while heating, cools towards 18 °C otherwise.
  const tick = hal.timers.repeat(() => {
    const target = power ? setpoint : 18;
    temperature += (target - temperature) * 0.3;
    if (!device.online) return;
    const t = Math.round(temperature * 10) / 10;
    if (device.write('Temperature', t) === null) say(`ds/Temperature ← ${t}`);
  }, (o.reportEverySec ?? 1) * 1000);

  device.start();
  return {
    device,
    stop() {
      hal.timers.clear(tick);
      device.stop();
    },
  };
}

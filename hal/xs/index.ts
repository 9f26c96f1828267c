// The bridged HAL: the Hal interfaces inside xsnap, served by a Node parent (tools/xs/bridge.ts)
// with real sockets, timers and flash. Create it once, from the app module the parent imports:
//
//   import { createBridgeHal, BlynkClient } from './blynk-xs-bridge.mjs';
//   const hal = createBridgeHal();
//   const client = new BlynkClient(hal, hal.params.options);
//   hal.onStop(() => client.stop());
//   client.start();
import { SeededRandom } from '../random'; // seeded by the parent: xsnap's Math.random is the same sequence on every run
import type { DeviceControl, Hal, Log, LogLevel, Network } from '../interfaces';
import { Channel, json } from './channel';
import { BridgeHttpClient, BridgeOtaWriter } from './http';
import { Call, Event, LEVELS, Status } from './protocol';
import { BridgeStorage } from './storage';
import { BridgeTimers } from './timers';
import { BridgeTransportConnector } from './transport';
import { encodeText } from '../text';

export interface BridgeHal extends Hal {
  readonly transport: BridgeTransportConnector;
  readonly timers: BridgeTimers;
  /** What the host passed to runBridged({ params }). */
  readonly params: Record<string, unknown>;
  /** Send a JSON message to the host (runBridged's onMessage). */
  post(message: unknown): void;
  /** Called when the host asks the app to stop. */
  onStop(fn: () => void): void;
  /** Answers the host's requests (BridgedRun.request); the return value goes back as JSON. */
  onRequest(fn: (request: unknown) => unknown): void;
}

interface Hello {
  params?: Record<string, unknown>;
  networkUp?: boolean;
  http?: boolean;
  ota?: boolean;
  seed?: number;
}

class BridgeLog implements Log {
  constructor(private readonly channel: Channel) {}

  write(level: LogLevel, message: string): void {
    try {
      const text = encodeText(message);
      const body = new Uint8Array(1 + text.length);
      body[0] = Math.max(0, LEVELS.indexOf(level));
      body.set(text, 1);
      this.channel.call(Call.LOG, 0, body);
    } catch {
      // Log.write never throws
    }
  }
}

class BridgeNetwork implements Network {
  private listener: ((up: boolean) => void) | undefined;

  constructor(
    private up: boolean,
    channel: Channel,
  ) {
    channel.on(Event.NETWORK, (_ref, body) => {
      const up = body[0] === 1;
      if (up === this.up) return;
      this.up = up;
      this.listener?.(up);
    });
  }

  isUp(): boolean {
    return this.up;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listener = listener;
  }
}

export function createBridgeHal(): BridgeHal {
  const channel = new Channel();
  const hello = channel.call(Call.HELLO);
  const info = (hello.status === Status.OK && hello.body.length > 0 ? json(hello.body) : {}) as Hello;
  const log = new BridgeLog(channel);
  channel.onHandlerError = (op, e) => log.write('error', `hal/xs: handler for event '${String.fromCharCode(op)}' threw: ${String(e)}`);
  const stops: (() => void)[] = [];
  let requests: ((request: unknown) => unknown) | undefined;
  channel.on(Event.STOP, () => {
    for (const fn of stops.splice(0)) fn();
  });
  channel.on(Event.QUERY, (_ref, body) => channel.reply(requests ? requests(json(body)) : null));
  const device: DeviceControl = { reboot: () => void channel.call(Call.REBOOT) };
  const timers = new BridgeTimers(channel);
  return {
    transport: new BridgeTransportConnector(channel),
    timers,
    clock: timers,
    storage: new BridgeStorage(channel),
    network: new BridgeNetwork(info.networkUp !== false, channel),
    log,
    random: new SeededRandom(info.seed ?? 1),
    device,
    ...(info.http ? { http: new BridgeHttpClient(channel) } : {}),
    ...(info.ota ? { ota: new BridgeOtaWriter(channel) } : {}),
    params: info.params ?? {},
    post: (message) => void channel.callJson(Call.POST, 0, message),
    onStop: (fn) => void stops.push(fn),
    onRequest: (fn) => {
      requests = fn;
    },
  };
}

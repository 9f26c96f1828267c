// An app for test/xs/bridge-hal.test.ts: exercises the bridged HAL directly inside XS, one
// operation per host request, and reports what its callbacks saw (with the clock at the time).
import { createBridgeHal } from '../../../build/entries/xs-bridge';

const hal = createBridgeHal();
const seen: string[] = [];
const handles: Record<string, unknown> = {};
let inCall = false; // a callback inside a HAL call would break the HAL's no-reentrancy rule
const note = (what: string): void => void seen.push(inCall ? `REENTRANT ${what}` : what);
const call = <T>(fn: () => T): T => {
  inCall = true;
  try {
    return fn();
  } finally {
    inCall = false;
  }
};
const hex = (b: Uint8Array | undefined): string | null => (b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') : null);

type Request = { op: string; [key: string]: unknown };

hal.network.onChange((up) => note(`network ${up}`));
hal.onRequest((raw) => {
  const q = raw as Request;
  switch (q.op) {
    case 'seen':
      return seen.splice(0);
    case 'now':
      return hal.clock.now();
    case 'timer': {
      const name = String(q.name);
      handles[name] = call(() => hal.timers.set(() => note(`timer ${name}`), Number(q.ms)));
      return null;
    }
    case 'repeat': {
      const name = String(q.name);
      handles[name] = call(() => hal.timers.repeat(() => note(`repeat ${name}`), Number(q.ms)));
      return null;
    }
    case 'clear':
      call(() => hal.timers.clear(handles[String(q.name)]));
      note(`cleared ${String(q.name)}`);
      return null;
    case 'set': {
      const value = new Uint8Array(Number(q.size)).map((_, i) => (i * 13 + 1) & 255);
      return call(() => hal.storage.set(String(q.key), value));
    }
    case 'get':
      return hex(hal.storage.get(String(q.key)));
    case 'delete':
      hal.storage.delete(String(q.key));
      return null;
    case 'open': {
      const name = String(q.name);
      const t = call(() =>
        hal.transport.open(q.target as never, {
          onOpen: () => note(`${name} open`),
          onData: (b) => note(`${name} data ${hex(b)}`),
          onDrain: () => note(`${name} drain`),
          onClose: (failure) => note(`${name} closed ${failure}`),
        }),
      );
      handles[name] = t;
      return null;
    }
    case 'write': {
      const t = handles[String(q.name)] as { write(b: Uint8Array): boolean };
      return call(() => t.write(Uint8Array.from(q.bytes as number[])));
    }
    case 'close':
      call(() => (handles[String(q.name)] as { close(): void }).close());
      return null;
    case 'ota': {
      const ota = hal.ota!;
      try {
        ota.begin(Number(q.size));
        ota.write(new Uint8Array(Number(q.write)).fill(7));
        ota.complete();
        return 'complete';
      } catch (e) {
        ota.abort();
        return `threw: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    case 'log':
      hal.log.write('warn', 'a warning from XS: é 😀');
      return null;
    default:
      return `unknown op ${q.op}`;
  }
});

// The XS half of `npm run bench:xs` (runs inside xsnap, on ./blynk-xs-mock.mjs): downlink
// datastream messages through the receive path, and publishes through the send path, one round
// of ROUND per crank so the Node half can read xsnap's meter between rounds.
//
// Receive stages, each a longer part of the same path, so what allocates can be told apart:
//   framer  transport bytes -> ring -> framer (topic from the intern cache, payload as a range)
//   client  mock transport -> session -> framer -> BlynkClient.onDownlink(topic, bytes, start, end)
//   device  ... -> BlynkDevice dispatch -> onWrite(name) handler with the value string
// Send stages (the transport takes the bytes synchronously and keeps nothing, as a socket
// copying into its own buffer does; the mock's copy-and-record is bypassed):
//   publish BlynkClient.publish('ds/Temperature', '21.5')
//   write   BlynkDevice.write('Temperature', 21.5) (name check, number to text, topic, publish)
import { BlynkClient, BlynkDevice, createMockHal, Framer, FRAME_NEED_MORE, FRAME_PACKET } from '../../build/entries/xs-mock';
import { FakeBroker } from '../broker/fake-broker';
import { chunks, installStages, NAMES, ROUND, sink, type Stage } from './bench-feed';

const TOKEN = 'benchToken_0123456789abcdefABCDEF';

function framerStage(): Stage {
  const input = chunks().map((c) => c.slice()); // one buffer per chunk, as a socket read gives (and the SDK side gets)
  const framer = new Framer(1024);
  let n = 0;
  return {
    round() {
      for (const c of input) {
        framer.feed(c);
        for (let r = framer.next(); r !== FRAME_NEED_MORE; r = framer.next()) {
          if (r !== FRAME_PACKET) throw new Error(`framer: status ${r}`);
          const p = framer.packet;
          sink.n += (p.topic === '' ? 0 : 1) + (p.payloadEnd - p.payloadStart);
          n++;
        }
      }
    },
    count: () => n,
  };
}

function online(hal: ReturnType<typeof createMockHal>, start: () => void, isOnline: () => boolean): void {
  new FakeBroker(hal);
  start();
  for (let i = 0; i < 100 && !isOnline(); i++) hal.time.step();
  hal.time.flush();
  if (!isOnline()) throw new Error('bench device did not come online');
}

function clientStage(): Stage {
  const input = chunks().map((c) => c.slice()); // one buffer per chunk, as a socket read gives (and the SDK side gets)
  const hal = createMockHal({ seed: 1 });
  const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn' });
  let n = 0;
  // The consumers below only count what they get: on XS, even `string.length` boxes the string
  // (2 slots), which would be the bench's allocation, not the runtime's.
  client.onDownlink = (topic, _bytes, start, end) => {
    sink.n += (topic === '' ? 0 : 1) + (end - start);
    n++;
  };
  online(hal, () => client.start(), () => client.online);
  const conn = hal.transport.last!;
  return {
    round() {
      for (const c of input) conn.deliver(c);
    },
    count: () => n,
  };
}

function deviceStage(): Stage {
  const input = chunks().map((c) => c.slice()); // one buffer per chunk, as a socket read gives (and the SDK side gets)
  const hal = createMockHal({ seed: 1, otaCapacity: 0 });
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn', ota: false });
  let n = 0;
  for (const name of NAMES) {
    device.onWrite(name, (value) => {
      sink.n += value === '' ? 0 : 1;
      n++;
    });
  }
  online(hal, () => device.start(), () => device.online);
  const conn = hal.transport.last!;
  return {
    round() {
      for (const c of input) conn.deliver(c);
    },
    count: () => n,
  };
}

/** Replace the online connection's write with one that takes the bytes and keeps nothing. */
function sinkWrites(hal: ReturnType<typeof createMockHal>): void {
  const conn = hal.transport.last!;
  conn.write = (bytes: Uint8Array): boolean => {
    sink.n += bytes.length;
    return true;
  };
}

function publishStage(): Stage {
  const hal = createMockHal({ seed: 1 });
  const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn' });
  online(hal, () => client.start(), () => client.online);
  sinkWrites(hal);
  let n = 0;
  return {
    round() {
      for (let i = 0; i < ROUND; i++) {
        if (client.publish('ds/Temperature', '21.5') !== null) throw new Error('publish refused');
        n++;
      }
    },
    count: () => n,
  };
}

function writeStage(): Stage {
  const hal = createMockHal({ seed: 1, otaCapacity: 0 });
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn', ota: false, rate: false });
  online(hal, () => device.start(), () => device.online);
  sinkWrites(hal);
  let n = 0;
  return {
    round() {
      for (let i = 0; i < ROUND; i++) {
        if (device.write('Temperature', 21.5) !== null) throw new Error('write refused');
        n++;
      }
    },
    count: () => n,
  };
}

/** The stages, by name (bench:xs asks for them by command; the simulator bench calls them). */
export const benchStages: Record<string, () => Stage> = { framer: framerStage, client: clientStage, device: deviceStage, publish: publishStage, write: writeStage };

export function installBench(): void {
  installStages(benchStages);
}

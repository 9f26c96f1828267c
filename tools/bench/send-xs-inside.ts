// The XS half of `npm run bench:send` (runs inside xsnap): ROUND publishes per crank, so the Node
// half can read xsnap's meter (live slots, compute) between rounds. Stages, each a longer part
// of the send path:
//   fields        a `{ topic, payload, qos }` object (what the session built per publish), alone
//   encode-new    encodePublish(fields) into a new array (what the session did before)
//   encode-writer encodePublish into a PacketWriter
//   qos0-writer   encodeQos0Publish(topic, payload) into a PacketWriter (what the session does)
//   client        BlynkClient.publish -> session -> encode -> transport.write
//   device        BlynkDevice.write(name, value) -> ... (name check, value text, rate limit off)
// The transport's write() only counts bytes: its own copy is the HAL's cost, not measured here.
// Standalone: it bundles src/ itself, because the xs-mock runtime bundle does not export
// PacketWriter.
import { createMockHal } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import { BlynkDevice } from '../../src/index';
import { encodePublish, encodeQos0Publish } from '../../src/mqtt/encode';
import type { PublishFields } from '../../src/mqtt/packets';
import { PacketWriter } from '../../src/mqtt/writer';
import { FakeBroker } from '../broker/fake-broker';
import { installStages, sink, type Stage as CrankStage } from '../xs/bench-feed';

export const ROUND = 1000;
const TOKEN = 'benchToken_0123456789abcdefABCDEF';
const TOPIC = 'ds/Temperature';
const VALUE = '21.7';

interface Stage {
  round(): void;
}


type MockHal = ReturnType<typeof createMockHal>;

function online(hal: MockHal, start: () => void, isOnline: () => boolean): void {
  new FakeBroker(hal);
  start();
  for (let i = 0; i < 100 && !isOnline(); i++) hal.time.step();
  hal.time.flush();
  if (!isOnline()) throw new Error('bench device did not come online');
  // From here on the transport only counts: the mock's copy per write is not the runtime's cost.
  const conn = hal.transport.last! as unknown as { write(b: Uint8Array): boolean };
  conn.write = (b) => {
    sink.n += b.length;
    return true;
  };
}

const f: PublishFields = { topic: TOPIC, payload: VALUE, qos: 0 };

const MAKERS: Record<string, () => Stage> = {
  fields: () => ({
    round() {
      for (let i = 0; i < ROUND; i++) {
        const x = { topic: TOPIC, payload: VALUE, qos: 0 };
        sink.n += x.qos;
      }
    },
  }),
  'encode-new': () => ({
    round() {
      for (let i = 0; i < ROUND; i++) if (!(encodePublish(f, 1024) instanceof Uint8Array)) throw new Error('encode failed');
      sink.n++;
    },
  }),
  'encode-writer': () => {
    const writer = new PacketWriter();
    return {
      round() {
        for (let i = 0; i < ROUND; i++) if (!(encodePublish(f, 1024, writer) instanceof Uint8Array)) throw new Error('encode failed');
        sink.n++;
      },
    };
  },
  'qos0-writer': () => {
    const writer = new PacketWriter();
    return {
      round() {
        for (let i = 0; i < ROUND; i++) if (!(encodeQos0Publish(TOPIC, VALUE, 1024, writer) instanceof Uint8Array)) throw new Error('encode failed');
        sink.n++;
      },
    };
  },
  client: () => {
    const hal = createMockHal({ seed: 1 });
    const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn' });
    online(hal, () => client.start(), () => client.online);
    return {
      round() {
        for (let i = 0; i < ROUND; i++) if (client.publish(TOPIC, VALUE) !== null) throw new Error('publish failed');
      },
    };
  },
  device: () => {
    const hal = createMockHal({ seed: 1, otaCapacity: 0 });
    const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn', ota: false, rate: false });
    online(hal, () => device.start(), () => device.online);
    return {
      round() {
        for (let i = 0; i < ROUND; i++) if (device.write('Temperature', VALUE) !== null) throw new Error('write failed');
      },
    };
  },
};

/** The crank protocol bench:xs uses too (tools/xs/bench-feed.ts): each round is ROUND publishes. */
export function installSendBench(): void {
  const cranked: Record<string, () => CrankStage> = {};
  for (const [name, make] of Object.entries(MAKERS)) {
    cranked[name] = () => {
      const s = make();
      let n = 0;
      return {
        round() {
          s.round();
          n += ROUND;
        },
        count: () => n,
      };
    };
  }
  installStages(cranked);
}

installSendBench();

// Transport.write copies what it keeps (hal/interfaces.ts), in every HAL: the session encodes
// every PUBLISH into one PacketWriter, so the next packet overwrites the memory of the last
// before the transport has necessarily sent it. Here each HAL takes a packet, the writer is
// reused for the next one at once, and what reaches the peer must still be the first packet's
// bytes followed by the second's, exactly (the view's range, not its whole `.buffer`).
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TransportEvents } from '../../hal/interfaces';
import { createMockHal } from '../../hal/mock';
import { ModdableConnector, CaChooser } from '../../hal/moddable/connector';
import { createNodeHal } from '../../hal/node';
import { BridgeTransportConnector } from '../../hal/xs/transport';
import { Channel } from '../../hal/xs/channel';
import { Call, Event, readU32 } from '../../hal/xs/protocol';
import { BlynkError } from '../../src/errors';
import { encodePublish } from '../../src/mqtt/encode';
import { PacketWriter } from '../../src/mqtt/writer';
import { makeFakes, recordingLog } from './moddable/fakes/modules';
import { FakeSocket } from './moddable/fakes/socket';

const events = (onOpen: () => void = () => {}): TransportEvents => ({ onOpen, onData: () => {}, onDrain: () => {}, onClose: () => {} });
const target = { scheme: 'mqtt' as const, host: '127.0.0.1', port: 1883, path: '' };

/** Packets encoded one after another into one small writer; returns the views and their bytes as they were. */
function packets(count: number): { writer: PacketWriter; next: () => Uint8Array; expected: number[] } {
  const writer = new PacketWriter(256, 16);
  const expected: number[] = [];
  let i = 0;
  return {
    writer,
    expected,
    next() {
      // Sizes vary (so later packets are shorter and longer than earlier ones) and grow the writer.
      const payload = i % 3 === 0 ? String(i) : 'v'.repeat((i * 37) % 200);
      const out = encodePublish({ topic: `ds/Stream${i % 7}`, payload }, 1024, writer);
      i++;
      if (out instanceof BlynkError) throw out;
      expected.push(...out);
      return out;
    },
  };
}

/** The payloads of masked client frames, concatenated. */
function unmaskPayloads(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let n = bytes[i + 1]! & 0x7f;
    i += 2;
    if (n === 126) {
      n = (bytes[i]! << 8) | bytes[i + 1]!;
      i += 2;
    }
    const mask = bytes.slice(i, i + 4);
    i += 4;
    for (let k = 0; k < n; k++) out.push(bytes[i + k]! ^ mask[k & 3]!);
    i += n;
  }
  return out;
}

describe('every transport copies what it has not sent when write() returns', () => {
  it('mock: what the peer sees is each packet as written', () => {
    const hal = createMockHal({ seed: 1 });
    const t = hal.transport.open(target, events());
    const conn = hal.transport.last!;
    conn.accept();
    const p = packets(50);
    for (let k = 0; k < 50; k++) expect(t.write(p.next())).toBe(true);
    expect([...conn.allWritten()]).toEqual(p.expected);
  });

  it('moddable: bytes queued before the stream opened and behind a full socket buffer stay the packet’s', () => {
    const f = makeFakes();
    const log = recordingLog();
    const connector = new ModdableConnector(f.modules, new CaChooser({}, f.modules, log), { maxQueuedBytes: 1 << 20, lingerMs: 1000, log }, { random: Math.random });
    const t = connector.open({ ...target, host: 'broker.local' }, events());
    const s = FakeSocket.last();
    const p = packets(60);
    for (let k = 0; k < 10; k++) t.write(p.next()); // before the connect: kept as pending
    s.free = 0; // the connect will find no room at all
    s.connect();
    for (let k = 0; k < 10; k++) t.write(p.next()); // queued behind them
    for (let k = 0; k < 40; k++) {
      s.writable(7 + (k % 13)); // a little room: part of a packet goes out, the rest stays queued
      t.write(p.next());
    }
    s.writable(1 << 20);
    expect(s.sent).toEqual(p.expected);
  });

  it('moddable ws: frames built from the packets (before the upgrade and behind a full buffer) carry their bytes', () => {
    const f = makeFakes();
    const log = recordingLog();
    const connector = new ModdableConnector(f.modules, new CaChooser({}, f.modules, log), { maxQueuedBytes: 1 << 20, lingerMs: 1000, log }, { random: Math.random });
    const t = connector.open({ scheme: 'ws', host: 'broker.local', port: 8080, path: '/mqtt' }, events());
    const s = FakeSocket.last();
    s.connect();
    s.takeSent(); // the upgrade request
    const p = packets(40);
    for (let k = 0; k < 10; k++) t.write(p.next()); // before the 101: held back
    s.receive(new TextEncoder().encode('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    for (let k = 0; k < 30; k++) {
      s.writable(5 + (k % 11));
      t.write(p.next());
    }
    s.writable(1 << 20);
    expect(unmaskPayloads(s.takeSent())).toEqual(p.expected);
  });

  it('node: bytes still in the socket’s buffer stay the packet’s', async () => {
    const received: Buffer[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((r) => (done = r));
    let want = 0;
    let got = 0;
    const server = net.createServer((sock) => {
      sock.on('data', (d) => {
        received.push(d);
        got += d.length;
        if (want > 0 && got >= want) done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const hal = createNodeHal({ log: () => {}, writeHighWater: 1 << 24 });
    try {
      const p = packets(2000);
      let opened: () => void = () => {};
      const open = new Promise<void>((r) => (opened = r));
      const t = hal.transport.open({ ...target, port: (server.address() as AddressInfo).port }, events(() => opened()));
      for (let k = 0; k < 20; k++) expect(t.write(p.next())).toBe(true); // before the connect
      await open;
      // One turn of many writes: most wait in Node's buffer while the writer is reused.
      for (let k = 0; k < 1980; k++) expect(t.write(p.next())).toBe(true);
      want = p.expected.length;
      if (got >= want) done();
      await all;
      expect([...Buffer.concat(received)]).toEqual(p.expected);
      t.close();
    } finally {
      hal.dispose();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('xs bridge: the WRITE call carries the packet’s bytes, whatever the writer holds afterwards', () => {
    const g = globalThis as unknown as { issueCommand?: (b: ArrayBuffer) => ArrayBuffer; handleCommand?: (b: ArrayBuffer) => ArrayBuffer | undefined };
    const requests: Uint8Array[] = [];
    g.issueCommand = (b) => {
      requests.push(new Uint8Array(b)); // kept as given, not copied: the bridge must have copied
      return new ArrayBuffer(9); // status OK, time 0
    };
    try {
      const channel = new Channel();
      const t = new BridgeTransportConnector(channel).open(target, events());
      const ref = readU32(requests[0]!, 1);
      const batch = new Uint8Array(8 + 4 + 5);
      batch[11] = 5;
      batch[12] = Event.OPENED;
      batch.set(requests[0]!.subarray(1, 5), 13);
      g.handleCommand!(batch.buffer);
      const p = packets(40);
      for (let k = 0; k < 40; k++) expect(t.write(p.next())).toBe(true);
      const written = requests.filter((r) => r[0] === Call.WRITE && readU32(r, 1) === ref).flatMap((r) => [...r.subarray(5)]);
      expect(written).toEqual(p.expected);
    } finally {
      delete g.issueCommand;
      delete g.handleCommand;
    }
  });
});

// The Moddable transport (mqtt, mqtts) against fakes of the SDK's Socket and SecureSocket.
import { CaChooser, ModdableConnector } from '../../../hal/moddable/connector';
import type { Transport, TransportEvents, TransportFailure } from '../../../hal/interfaces';
import { FakeResource, makeFakes, recordingLog, type Fakes } from './fakes/modules';
import { FakeSecureSocket, FakeSocket } from './fakes/socket';

interface Recorder extends TransportEvents {
  log: string[];
  data: number[];
  closes: [TransportFailure, string | undefined][];
}

function recorder(hooks: Partial<TransportEvents> = {}): Recorder {
  const r: Recorder = {
    log: [],
    data: [],
    closes: [],
    onOpen: () => {
      r.log.push('open');
      hooks.onOpen?.();
    },
    onData: (bytes) => {
      r.log.push(`data ${bytes.length}`);
      r.data.push(...bytes);
      hooks.onData?.(bytes);
    },
    onDrain: () => {
      r.log.push('drain');
      hooks.onDrain?.();
    },
    onClose: (failure, detail) => {
      r.log.push(`close ${failure}`);
      r.closes.push([failure, detail]);
      hooks.onClose?.(failure, detail);
    },
  };
  return r;
}

let f: Fakes;
let log: ReturnType<typeof recordingLog>;

function connector(tls: { certificates?: (ArrayBuffer | string)[]; verify?: boolean } = {}, maxQueuedBytes = 100): ModdableConnector {
  const cas = new CaChooser(tls, f.modules, log);
  return new ModdableConnector(f.modules, cas, { maxQueuedBytes, lingerMs: 1000, log }, { random: Math.random });
}

function openMqtt(events: TransportEvents, maxQueued = 100): { t: Transport; s: FakeSocket } {
  const t = connector({}, maxQueued).open({ scheme: 'mqtt', host: 'broker.local', port: 1883, path: '' }, events);
  return { t, s: FakeSocket.last() };
}

beforeEach(() => {
  f = makeFakes();
  log = recordingLog();
});

describe('mqtt over the classic Socket', () => {
  it('opens on callback 1 and hands over every byte of each read', () => {
    const r = recorder();
    const { s } = openMqtt(r);
    expect(s.options).toEqual({ host: 'broker.local', port: 1883 });
    expect(r.log).toEqual([]);
    s.connect();
    expect(r.log).toEqual(['open']);
    s.receive([0x20, 0x02]); // a partial CONNACK...
    s.receive([0x00, 0x00]); // ...and the rest in the next read
    expect(r.log).toEqual(['open', 'data 2', 'data 2']);
    expect(r.data).toEqual([0x20, 2, 0, 0]);
  });

  it('writes what fits at once and queues the rest until the socket reports room (callback 3)', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    s.free = 3;
    expect(t.write(Uint8Array.of(1, 2, 3, 4, 5))).toBe(true); // taken: 3 sent, 2 queued
    expect([...s.takeSent()]).toEqual([1, 2, 3]);
    const reused = Uint8Array.of(6, 7);
    expect(t.write(reused)).toBe(true);
    reused.fill(0); // the caller may reuse its buffer: the transport kept a copy
    s.writable(1024);
    expect([...s.takeSent()]).toEqual([4, 5, 6, 7]);
  });

  it('a write that throws because the send buffer is full never escapes: bytes wait in the queue', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    s.free = 10;
    // The fake throws "can't write all data" beyond `free`; the transport never asks for more.
    expect(t.write(new Uint8Array(25).fill(9))).toBe(true);
    expect(s.sent.length).toBe(10);
    s.writable(10);
    s.writable(10);
    expect(s.sent.length).toBe(25);
    expect(r.closes).toEqual([]);
  });

  it('returns false without taking the bytes when the queue is over its bound, then onDrain when it empties', () => {
    const r = recorder();
    const { t, s } = openMqtt(r, 100);
    s.connect();
    s.free = 0;
    expect(t.write(new Uint8Array(80))).toBe(true);
    expect(t.write(new Uint8Array(20))).toBe(true); // exactly at the bound
    expect(t.write(Uint8Array.of(1))).toBe(false); // over it: not taken
    s.writable(50);
    expect(r.log).toEqual(['open']); // still 50 queued: no drain yet
    s.writable(100);
    expect(r.log).toEqual(['open', 'drain']);
    expect(s.sent.length).toBe(100); // the refused byte was never sent
    expect(t.write(Uint8Array.of(1))).toBe(true);
  });

  it('takes one write larger than the bound when nothing waits', () => {
    const { t, s } = openMqtt(recorder(), 100);
    s.connect();
    s.free = 0;
    expect(t.write(new Uint8Array(500))).toBe(true);
  });

  it('keeps writes made before onOpen and sends them first', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    expect(t.write(Uint8Array.of(1, 2))).toBe(true);
    expect(s.sent).toEqual([]);
    s.connect();
    expect(s.sent).toEqual([1, 2]);
  });

  it('close() before connect: onClose("closed") once, on a later turn, never inside close()', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    t.close();
    t.close();
    expect(r.log).toEqual([]);
    f.timer.advance(0);
    expect(r.log).toEqual(['close closed']);
    expect(s.closed).toBe(1);
    s.connect(); // a late connect from the SDK is ignored
    f.timer.advance(5000);
    expect(r.log).toEqual(['close closed']);
  });

  it('close() after open flushes, closes the socket and reports "closed" once', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    t.write(Uint8Array.of(0xe0, 0)); // DISCONNECT
    t.close();
    expect(s.sent).toEqual([0xe0, 0]);
    expect(s.closed).toBe(1);
    expect(t.write(Uint8Array.of(1))).toBe(false);
    f.timer.advance(0);
    expect(r.closes).toEqual([['closed', 'closed by the device']]);
  });

  it('close() with bytes still queued waits for room (or the linger time), then closes', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    s.free = 1;
    t.write(Uint8Array.of(1, 2, 3));
    t.close();
    expect(s.closed).toBe(0);
    s.writable(10);
    expect(s.sent).toEqual([1, 2, 3]);
    expect(s.closed).toBe(1);
    f.timer.advance(0);
    expect(r.log).toEqual(['open', 'close closed']);

    const r2 = recorder();
    const { t: t2, s: s2 } = openMqtt(r2);
    s2.connect();
    s2.free = 0;
    t2.write(Uint8Array.of(1));
    t2.close();
    f.timer.advance(999);
    expect(r2.closes).toEqual([]);
    f.timer.advance(1);
    f.timer.advance(0);
    expect(r2.closes.map((c) => c[0])).toEqual(['closed']);
    expect(s2.closed).toBe(1);
  });

  it('the peer closing (-1) gives "closed", an error (-2) gives "reset", each once', () => {
    const r = recorder();
    const { s } = openMqtt(r);
    s.connect();
    s.disconnect(); // the SDK released it: close() would throw, the HAL copes
    s.callback(-2); // nothing follows the end
    f.timer.advance(0);
    expect(r.log).toEqual(['open', 'close closed']);

    const r2 = recorder();
    const { s: s2 } = openMqtt(r2);
    s2.connect();
    s2.error();
    f.timer.advance(0);
    expect(r2.log).toEqual(['open', 'close reset']);
  });

  it('a failure before the connect is "refused"', () => {
    const r = recorder();
    const { s } = openMqtt(r);
    s.error();
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('refused');
  });

  it('a Socket constructor that throws is reported through onClose, not thrown', () => {
    FakeSocket.throwOnCreate = 'create socket failed';
    const r = recorder();
    connector().open({ scheme: 'mqtt', host: 'x', port: 1, path: '' }, r);
    expect(r.log).toEqual([]);
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('refused');
    expect(r.closes[0]![1]).toContain('create socket failed');
  });

  it('a socket write that breaks (not "buffer full") ends the transport with "reset", later', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    s.writeError = 'write failed';
    expect(t.write(Uint8Array.of(1))).toBe(true);
    expect(r.closes).toEqual([]); // not inside write()
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('reset');
  });

  it('close() from inside onData: no more data, onClose later and once', () => {
    let t!: Transport;
    const r = recorder({ onData: () => t.close() });
    const opened = openMqtt(r);
    t = opened.t;
    opened.s.connect();
    opened.s.receive([1, 2, 3]);
    expect(r.log).toEqual(['open', 'data 3']);
    f.timer.advance(0);
    expect(r.log).toEqual(['open', 'data 3', 'close closed']);
  });

  it('close() after the stream already failed still reports once (as "closed")', () => {
    const r = recorder();
    const { t, s } = openMqtt(r);
    s.connect();
    s.error();
    t.close();
    f.timer.advance(0);
    expect(r.closes).toEqual([['closed', 'closed by the device']]);
  });

  it('exceptions thrown by the core callbacks do not escape into the SDK', () => {
    const r = recorder({
      onOpen: () => {
        throw new Error('boom');
      },
      onData: () => {
        throw new Error('boom');
      },
    });
    const { s } = openMqtt(r);
    expect(() => s.connect()).not.toThrow();
    expect(() => s.receive([1])).not.toThrow();
    expect(log.lines.some((l) => l.includes('onOpen threw'))).toBe(true);
  });

  it('an unknown scheme fails through onClose on a later turn', () => {
    const r = recorder();
    connector().open({ scheme: 'http' as never, host: 'x', port: 1, path: '' }, r);
    expect(r.log).toEqual([]);
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('error');
  });
});

describe('mqtts over SecureSocket', () => {
  const ca1 = Uint8Array.of(1).buffer;
  const ca2 = Uint8Array.of(2).buffer;

  function openTls(r: Recorder, c: ModdableConnector): FakeSecureSocket {
    c.open({ scheme: 'mqtts', host: 'blynk.cloud', port: 8883, path: '' }, r);
    return FakeSecureSocket.lastSecure();
  }

  it('passes host, port, one CA and TLS 1.2; opens after the handshake', () => {
    const r = recorder();
    const s = openTls(r, connector({ certificates: [ca1, ca2] }));
    expect(s.secure).toEqual({ certificate: ca1, protocolVersion: 0x303, verify: true });
    expect(s.sock.options).toEqual({ host: 'blynk.cloud', port: 8883 });
    s.sock.connect(); // TCP up, handshake running
    expect(r.log).toEqual([]);
    s.handshake();
    expect(r.log).toEqual(['open']);
    s.free = 1024;
    s.receive([0x20, 2, 0, 0]);
    expect(r.data).toEqual([0x20, 2, 0, 0]);
  });

  it('a failed handshake is "tls" and the next attempt offers the next CA; a refused TCP connect is "refused"', () => {
    const c = connector({ certificates: [ca1, ca2] });
    const r = recorder();
    const s = openTls(r, c);
    s.sock.connect();
    s.rejectHandshake();
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('tls');

    const r2 = recorder();
    const s2 = openTls(r2, c);
    expect(s2.secure?.certificate).toBe(ca2);
    s2.sock.error(); // no TCP connect at all
    f.timer.advance(0);
    expect(r2.closes[0]![0]).toBe('refused');

    const s3 = openTls(recorder(), c);
    expect(s3.secure?.certificate).toBe(ca2); // a refused connect says nothing about the CA
  });

  it('a SecureSocket constructor that throws (e.g. the clock is not set) is "tls", reported later', () => {
    FakeSecureSocket.throwOnSecure = 'date validation failed';
    const r = recorder();
    openTls(r, connector({ certificates: [ca1] }));
    expect(r.log).toEqual([]);
    f.timer.advance(0);
    expect(r.closes[0]![0]).toBe('tls');
    expect(r.closes[0]![1]).toContain('date validation failed');
    expect(FakeSocket.last().closed).toBe(1);
  });

  it('with registerCA (ssl/cert) all CAs are trusted at once: registered once, none passed per socket, no rotation', () => {
    const registered: unknown[] = [];
    f.modules = { ...f.modules, registerCA: (der) => registered.push(der) };
    const c = connector({ certificates: [ca1, ca2] });
    const s = openTls(recorder(), c);
    expect(registered).toEqual([ca1, ca2]);
    expect(s.secure).toEqual({ protocolVersion: 0x303, verify: true });
    s.sock.connect();
    s.rejectHandshake();
    f.timer.advance(0);
    expect(openTls(recorder(), c).secure).toEqual({ protocolVersion: 0x303, verify: true });
    expect(registered.length).toBe(2);
  });

  it('one CA is passed as the certificate even when registerCA exists', () => {
    f.modules = { ...f.modules, registerCA: () => {} };
    expect(openTls(recorder(), connector({ certificates: [ca1] })).secure?.certificate).toBe(ca1);
  });

  it('takes certificates by resource name, and verify:false for local debugging', () => {
    FakeResource.files.set('ca.der', Uint8Array.of(7));
    const s = openTls(recorder(), connector({ certificates: ['ca.der', 'missing.der'], verify: false }));
    expect(s.secure?.verify).toBe(false);
    expect(s.secure?.certificate).toBeInstanceOf(FakeResource);
    expect(log.lines.some((l) => l.includes('verification is OFF'))).toBe(true);
    expect(log.lines.some((l) => l.includes('"missing.der" not found'))).toBe(true);
  });
});

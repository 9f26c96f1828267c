// Attack on the redirect policy and the endpoint store (src/blynk/redirect-policy.ts,
// endpoint-store.ts, src/session/endpoint.ts): hostile redirect URIs and records in flash
// crafted by other firmware (C-REDIRECT-1/2/7/8, C-SECRETS).
import { MockStorage } from '../../hal/mock';
import { ErrorCode } from '../../src/errors';
import { crc32 } from '../../src/util/crc32';
import { bringOnline, makeDevice, type TestDevice } from '../support/device';
import { TOKEN } from '../support/tokens';
import { opens, run } from './helpers';

function redirectTo(d: TestDevice, uri: string): void {
  d.broker.push('downlink/redirect', uri);
  d.broker.settle();
  run(d.hal, 5000);
}

function flashText(s: MockStorage): string {
  return Array.from(s.records.values(), (v) => Buffer.from(v).toString('latin1')).join('\n');
}

/** A version-2 endpoint record with a valid CRC, as other firmware might have written it. */
function record(uri: string, server: string, seq = 1, version = 2): Uint8Array {
  const u = new TextEncoder().encode(uri);
  const s = new TextEncoder().encode(server);
  const body = 9 + u.length + 2 + s.length;
  const rec = new Uint8Array(body + 4);
  rec.set([0x42, 0x45, version]);
  const dv = new DataView(rec.buffer);
  dv.setUint32(3, seq);
  dv.setUint16(7, u.length);
  rec.set(u, 9);
  dv.setUint16(9 + u.length, s.length);
  rec.set(s, 9 + u.length + 2);
  dv.setUint32(body, crc32(rec, 0, body));
  return rec;
}

describe('C-REDIRECT-8: hosts are normalized', () => {
  test('a host with two trailing dots is not a new endpoint (it is refused, or the same as the one in use)', () => {
    const d = makeDevice();
    d.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud:8883';
    bringOnline(d);
    run(d.hal, 5000);
    const before = opens(d.hal).length;
    redirectTo(d, 'mqtts://fra1.blynk.cloud..:8883');
    // endpoint.ts strips one trailing dot and then accepts "fra1.blynk.cloud." as a host name:
    // a new endpoint, followed and stored.
    expect(opens(d.hal).length).toBe(before);
    expect(d.client.storedEndpoint).toBe('mqtts://fra1.blynk.cloud:8883');
  });

  test('held: MQTTS://FRA1.Blynk.Cloud.:08883 is the endpoint already in use', () => {
    const d = makeDevice();
    d.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud:8883';
    bringOnline(d);
    run(d.hal, 5000);
    const before = opens(d.hal).length;
    redirectTo(d, 'MQTTS://FRA1.Blynk.Cloud.:08883');
    expect(opens(d.hal).length).toBe(before);
  });
});

describe('C-REDIRECT-8 / C-SECRETS: a redirect carrying the token', () => {
  const enc = (s: string) => Array.from(s, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).join('');

  test('a wss redirect whose query holds the percent-encoded token is refused and nothing of it reaches flash', () => {
    const storage = new MockStorage();
    const d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' }, { storage });
    bringOnline(d);
    redirectTo(d, `wss://fra1.blynk.cloud:443/mqtt?t=${enc(TOKEN)}`);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.REDIRECT_REJECTED);
    expect(flashText(storage)).not.toContain(enc(TOKEN));
  });

  test('a token with only its first character percent-encoded is refused; 31 of its 32 characters do not reach the log', () => {
    const storage = new MockStorage();
    const d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' }, { storage });
    bringOnline(d);
    redirectTo(d, `wss://fra1.blynk.cloud:443/${enc(TOKEN[0]!)}${TOKEN.slice(1)}`);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.REDIRECT_REJECTED);
    expect(d.hal.log.text()).not.toContain(TOKEN.slice(1));
    expect(flashText(storage)).not.toContain(TOKEN.slice(1));
  });

  test('held: the token in another letter case, in the host or the path, is refused', () => {
    const d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' });
    bringOnline(d);
    redirectTo(d, `wss://fra1.blynk.cloud:443/${TOKEN.toUpperCase()}`);
    redirectTo(d, `wss://${TOKEN.toLowerCase()}.blynk.cloud:443/mqtt`);
    expect(d.errors.filter((e) => e.code === ErrorCode.REDIRECT_REJECTED).length).toBe(2);
    expect(d.client.storedEndpoint).toBeUndefined();
  });
});

describe('C-REDIRECT-7: records crafted by other firmware', () => {
  test('a record whose server is the configured one in other letter case: the device and storedEndpoint agree', () => {
    const storage = new MockStorage();
    storage.records.set('blynk.ep.a', record('mqtts://fra1.blynk.cloud:8883', 'MQTTS://Blynk.Cloud:8883'));
    const d = makeDevice({}, { storage });
    bringOnline(d);
    const used = opens(d.hal)[0]!;
    // The policy parses the record's server (normalized) and uses the record; the getter compares
    // the raw text and says there is none.
    if (used === 'transport.open mqtts://fra1.blynk.cloud:8883') expect(d.client.storedEndpoint).toBe('mqtts://fra1.blynk.cloud:8883');
    else expect(d.client.storedEndpoint).toBeUndefined();
  });

  const held: [string, Uint8Array][] = [
    ['a version 1 record', record('mqtts://fra1.blynk.cloud:8883', 'mqtts://blynk.cloud:8883', 1, 1)],
    ['a valid CRC over a plain-MQTT endpoint (a downgrade)', record('mqtt://fra1.blynk.cloud:1883', 'mqtts://blynk.cloud:8883')],
    ['a valid CRC over a host off the allow-list', record('mqtts://evil.example:8883', 'mqtts://blynk.cloud:8883')],
    ['a valid CRC over garbage bytes', record('\u0000\u0001\uFFFD\uD7FF', 'mqtts://blynk.cloud:8883')],
    ['a valid CRC over a URI with the token', record(`wss://fra1.blynk.cloud/${TOKEN}`, 'mqtts://blynk.cloud:8883')],
    ['a record learned under another server', record('mqtts://fra1.blynk.cloud:8883', 'mqtts://other.example:8883')],
    ['a record whose server field is garbage', record('mqtts://fra1.blynk.cloud:8883', '\u0007')],
    ['a record declaring a 65535-byte URI', (() => { const r = record('mqtts://fra1.blynk.cloud:8883', 'mqtts://blynk.cloud:8883'); r[7] = 0xff; r[8] = 0xff; return r; })()],
    ['a record of 3 bytes', Uint8Array.from([0x42, 0x45, 2])],
  ];
  for (const [what, rec] of held) {
    test(`held: ${what} is not used; the device connects to the configured server`, () => {
      const storage = new MockStorage();
      storage.records.set('blynk.ep.a', rec);
      storage.records.set('blynk.ep.b', rec.slice().reverse());
      const d = makeDevice({}, { storage });
      bringOnline(d);
      expect(opens(d.hal)[0]).toBe('transport.open mqtts://blynk.cloud:8883');
    });
  }

  test('held: of two valid slots the newer one (by wrapping sequence) is used', () => {
    const storage = new MockStorage();
    storage.records.set('blynk.ep.a', record('mqtts://fra1.blynk.cloud:8883', 'mqtts://blynk.cloud:8883', 0xffffffff));
    storage.records.set('blynk.ep.b', record('mqtts://lon1.blynk.cloud:8883', 'mqtts://blynk.cloud:8883', 1));
    const d = makeDevice({}, { storage });
    bringOnline(d);
    expect(opens(d.hal)[0]).toBe('transport.open mqtts://lon1.blynk.cloud:8883');
  });
});

describe('held: hostile redirect URIs are refused and the connection carries on', () => {
  const uris = [
    'mqtts://evil.example:8883',
    'mqtts://fra1.blynk.cloud.evil.example:8883',
    'mqtts://evilblynk.cloud:8883',
    'mqtts://[::1]:8883',
    'mqtts://fra1.blynk.cloud:0',
    'mqtts://fra1.blynk.cloud:65536',
    'mqtts://fra1.blynk.cloud:008883',
    'mqtts://fra1.blynk.cloud:+8883',
    'mqtts://user@fra1.blynk.cloud:8883',
    'mqtts://fra1.blynk.cloud:8883/path',
    'mqtt://fra1.blynk.cloud:1883',
    'ws://fra1.blynk.cloud:80/mqtt',
    'wss://fra1.blynk.cloud:443/mq\u0000tt',
    'wss://fra1.blynk.cloud:443/mq tt',
    'wss://fra1.blynk.cloud:443/\u00e9',
    'http://fra1.blynk.cloud:443',
    'mqtts://fra1%2eblynk.cloud:8883',
    'mqtts://.blynk.cloud:8883',
    'mqtts://fra1..blynk.cloud:8883',
    'mqtts://:8883',
    '',
    '\u00ff'.repeat(2000),
  ];
  test('held: none of them is followed or stored; still online', () => {
    const d = makeDevice();
    bringOnline(d);
    for (const u of uris) redirectTo(d, u);
    expect(opens(d.hal).length).toBe(1);
    expect(d.client.online).toBe(true);
    expect(d.client.storedEndpoint).toBeUndefined();
  });

  test('held: stop() while a redirect is closing the old connection ends stopped; start() then goes to the new endpoint', () => {
    const d = makeDevice({}, { latencyMs: 20 });
    bringOnline(d);
    d.hal.transport.last!.holdClose = true;
    d.broker.push('downlink/redirect', 'mqtts://fra1.blynk.cloud:8883');
    d.broker.settle();
    expect(d.client.state).toBe('closing');
    d.client.stop();
    d.hal.network.set(false);
    d.hal.network.set(true);
    d.hal.transport.last!.finishClose();
    run(d.hal, 10_000);
    expect(d.client.state).toBe('stopped');
    expect(d.hal.transport.openCount).toBe(0);
    d.client.start();
    run(d.hal, 10_000);
    expect(opens(d.hal).at(-1)).toBe('transport.open mqtts://fra1.blynk.cloud:8883');
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });
});

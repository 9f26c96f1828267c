// The Node HAL's transports against a real broker (Debian's mosquitto): a hand-made MQTT 3.1.1
// CONNECT over every scheme, CONNACK codes, and a broker that dies mid-session.
import { createNodeHal, type NodeHal } from '../../../hal/node';
import { makeTestPki } from '../../../tools/certs';
import type { Scheme } from '../../../hal/interfaces';
import { describeMosquitto, type Mosquitto, startMosquitto } from '../../support/mosquitto';
import { settleTurns, TransportRecorder } from './recorder';

function utf8Field(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** CONNECT, protocol level 4, clean session, username + password, keepalive 45 s, empty client id. */
function connectPacket(username: string, password: string): Buffer {
  const body = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, 0xc2, 0, 45]), utf8Field(''), utf8Field(username), utf8Field(password)]);
  if (body.length > 127) throw new Error('test CONNECT too long for a one-byte length');
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

let broker: Mosquitto;
let hal: NodeHal;

function target(scheme: Scheme, host = '127.0.0.1') {
  const port = { mqtt: broker.tcpPort, mqtts: broker.tlsPort, ws: broker.wsPort, wss: broker.wsPort }[scheme];
  return { scheme, host, port, path: '/mqtt' };
}

describeMosquitto!('Node HAL transports with mosquitto', () => {
  beforeAll(async () => {
    broker = await startMosquitto({ token: 'hal_token_0123456789' });
  });

  beforeEach(() => {
    hal = createNodeHal({ ca: broker.caPem, log: () => {} });
  });

  afterEach(() => hal.dispose());

  afterAll(async () => {
    await broker?.stop();
  });

  it.each([
    ['mqtt', '127.0.0.1'],
    ['mqtts', 'localhost'],
    ['mqtts', '127.0.0.1'],
    ['ws', '127.0.0.1'],
  ] as const)('%s to %s: CONNECT -> CONNACK 0, PINGREQ -> PINGRESP, close', async (scheme, host) => {
    const rec = new TransportRecorder();
    rec.open(hal.transport, target(scheme, host));
    await rec.untilOpen();
    expect(rec.write(connectPacket('device', broker.token))).toBe(true);
    await rec.untilReceived(4);
    expect([...rec.received]).toEqual([0x20, 0x02, 0x00, 0x00]);
    rec.write(Uint8Array.of(0xc0, 0x00));
    await rec.untilReceived(6);
    expect([...rec.received.subarray(4)]).toEqual([0xd0, 0x00]);
    rec.close();
    await rec.untilClosed();
    await settleTurns();
    expect(rec.closes.map((c) => c.failure)).toEqual(['closed']);
    expect(rec.violations).toEqual([]);
  });

  it('a wrong token gets CONNACK 5, then the broker closes: onClose(closed)', async () => {
    for (const scheme of ['mqtt', 'ws'] as const) {
      const rec = new TransportRecorder();
      rec.open(hal.transport, target(scheme));
      await rec.untilOpen();
      rec.write(connectPacket('device', 'wrong-token'));
      await rec.untilClosed();
      expect([...rec.received]).toEqual([0x20, 0x02, 0x00, 0x05]);
      expect(rec.closes.map((c) => c.failure)).toEqual(['closed']);
    }
  });

  it('the TLS listener with another CA: onClose(tls)', async () => {
    const other = createNodeHal({ ca: (await makeTestPki(['localhost'], 'unrelated CA')).caPem, log: () => {} });
    try {
      const rec = new TransportRecorder();
      rec.open(other.transport, target('mqtts', 'localhost'));
      await rec.untilClosed();
      expect(rec.calls).toEqual(['onClose(tls)']);
    } finally {
      other.dispose();
    }
  });

  it('a broker killed mid-session ends every transport exactly once; it works after restart', async () => {
    const recs = (['mqtt', 'mqtts', 'ws'] as const).map((scheme) => {
      const rec = new TransportRecorder();
      rec.open(hal.transport, target(scheme, scheme === 'mqtts' ? 'localhost' : '127.0.0.1'));
      return rec;
    });
    for (const rec of recs) {
      await rec.untilOpen();
      rec.write(connectPacket('device', broker.token));
      await rec.untilReceived(4);
    }
    await broker.kill();
    for (const rec of recs) await rec.untilClosed();
    await settleTurns();
    for (const rec of recs) {
      expect(rec.closes).toHaveLength(1);
      expect(['closed', 'reset']).toContain(rec.closed!.failure);
      expect(rec.violations).toEqual([]);
    }
    await broker.restart();
    const rec = new TransportRecorder();
    rec.open(hal.transport, target('mqtt'));
    await rec.untilOpen();
    rec.write(connectPacket('device', broker.token));
    await rec.untilReceived(4);
    expect([...rec.received]).toEqual([0x20, 0x02, 0x00, 0x00]);
  });
});

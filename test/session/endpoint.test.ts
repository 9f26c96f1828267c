import { BlynkError, ErrorCode } from '../../src/errors';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../../src/session/endpoint';

function ok(uri: string): Endpoint {
  const e = parseEndpoint(uri);
  if (e instanceof BlynkError) throw new Error(`${uri}: ${e.message}`);
  return e;
}

describe('C-CONN-1 endpoint URIs', () => {
  test.each([
    ['mqtt://blynk.cloud:1883', { scheme: 'mqtt', host: 'blynk.cloud', port: 1883, path: '' }],
    ['mqtts://fra1.blynk.cloud:8883', { scheme: 'mqtts', host: 'fra1.blynk.cloud', port: 8883, path: '' }],
    ['ws://host:8080/mqtt', { scheme: 'ws', host: 'host', port: 8080, path: '/mqtt' }],
    ['wss://fra1.blynk.cloud:443/mqtt', { scheme: 'wss', host: 'fra1.blynk.cloud', port: 443, path: '/mqtt' }],
    ['wss://blynk.cloud:9443/custom/path?x=1', { scheme: 'wss', host: 'blynk.cloud', port: 9443, path: '/custom/path?x=1' }],
  ])('%s', (uri, want) => {
    expect(ok(uri)).toEqual(want);
  });

  test('default ports per scheme and the /mqtt default path', () => {
    expect(ok('mqtt://h').port).toBe(1883);
    expect(ok('mqtts://h').port).toBe(8883);
    expect(ok('ws://h').port).toBe(80);
    expect(ok('wss://h').port).toBe(443);
    expect(ok('ws://h').path).toBe('/mqtt');
    expect(ok('wss://h:9443').path).toBe('/mqtt');
    expect(ok('wss://h/').path).toBe('/');
  });

  test('legacy aliases tcp = mqtt and tls = mqtts', () => {
    expect(ok('tcp://h:1883').scheme).toBe('mqtt');
    expect(ok('tls://h:8883').scheme).toBe('mqtts');
    expect(ok('TLS://H:8883')).toEqual({ scheme: 'mqtts', host: 'h', port: 8883, path: '' });
  });

  test('IPv4 and bracketed IPv6 literals', () => {
    expect(ok('mqtt://127.0.0.1:1883').host).toBe('127.0.0.1');
    expect(ok('mqtts://[::1]:8883')).toEqual({ scheme: 'mqtts', host: '::1', port: 8883, path: '' });
    expect(formatEndpoint(ok('mqtts://[::1]:8883'))).toBe('mqtts://[::1]:8883');
  });

  test('format is canonical and parses back to the same endpoint', () => {
    for (const u of ['tcp://a.b:1', 'mqtts://x', 'ws://h', 'wss://h:9443/mqtt']) {
      const e = ok(u);
      expect(ok(formatEndpoint(e))).toEqual(e);
    }
    expect(formatEndpoint(ok('tls://fra1.blynk.cloud'))).toBe('mqtts://fra1.blynk.cloud:8883');
  });

  test.each([
    ['', 'no scheme'],
    ['blynk.cloud:8883', 'no scheme'],
    ['http://blynk.cloud', 'unknown scheme'],
    ['mqtts://', 'empty host'],
    ['mqtts://:8883', 'empty host'],
    ['mqtts://host:0', 'port out of range'],
    ['mqtts://host:65536', 'port out of range'],
    ['mqtts://host:-1', 'bad port'],
    ['mqtts://host:88a', 'bad port'],
    ['mqtts://ho st:1', 'bad host'],
    ['mqtts://user:pass@host:1', 'credentials'],
    ['mqtts://host:8883/path', 'a path needs a WebSocket scheme'],
    ['mqtts://[::1', 'unclosed'],
  ])('C-REDIRECT-1 rejects %j', (uri, why) => {
    const e = parseEndpoint(uri);
    expect(e).toBeInstanceOf(BlynkError);
    expect((e as BlynkError).code).toBe(ErrorCode.REDIRECT_INVALID);
    expect((e as BlynkError).message).toContain(why);
  });
});

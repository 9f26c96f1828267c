// Attack on C-CONN / C-SECRETS after the "can the CONNECT be built" check moved from Link's
// constructor to MqttSession's (issue 14): configurations that pass resolveConfig but make the
// CONNECT impossible (lone surrogates in the token or the client id) must still be refused as a
// CONFIG BlynkError by every constructor, before the HAL is touched (network listener, claim,
// transport, timers, flash), without the token in the message; and a configuration changed
// after construction must never make anything throw out of a callback.
import { createMockHal } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import { resolveConfig } from '../../src/blynk/config';
import { BlynkDevice } from '../../src/blynk/device';
import { BlynkError, ErrorCode } from '../../src/errors';
import { MqttSession } from '../../src/session/session';
import { Logger } from '../../src/util/log';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';

const BAD: [string, { token?: string; clientId?: string }][] = [
  ['a lone high surrogate in the token', { token: `${TOKEN}\uD800` }],
  ['a lone low surrogate in the token', { token: `\uDC00${TOKEN}` }],
  ['a lone surrogate in the client id', { clientId: 'dev-\uDBFF' }],
  ['a reversed pair in the client id', { clientId: '\uDC00\uD800' }],
];

const leaked = (m: string) => m.toLowerCase().includes(TOKEN.toLowerCase());

describe('C-CONN: a CONNECT that cannot be built is a CONFIG error from every constructor (attack5)', () => {
  test.each(BAD)('%s: BlynkDevice throws, create() returns it, and the HAL stays free and untouched', (_what, o) => {
    const hal = createMockHal();
    const opts = { hal, token: TOKEN, templateId: 'TMPL0001', ...o };
    let thrown: unknown;
    try {
      new BlynkDevice(opts);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BlynkError);
    expect((thrown as BlynkError).code).toBe(ErrorCode.CONFIG);
    expect((thrown as BlynkError).message).toMatch(/cannot build CONNECT/);
    expect(leaked((thrown as BlynkError).message)).toBe(false);
    const r = BlynkDevice.create(opts);
    expect(r).toBeInstanceOf(BlynkError);
    expect((r as BlynkError).code).toBe(ErrorCode.CONFIG);
    expect(hal.transport.connections.length).toBe(0);
    expect(hal.time.pending).toBe(0);
    expect(hal.journal.filter((j) => j.startsWith('storage.set'))).toEqual([]);
    for (const l of hal.log.lines) expect(leaked(l.message)).toBe(false);
    // Not claimed: a good device on the same HAL works.
    new FakeBroker(hal);
    const good = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(good).toBeInstanceOf(BlynkDevice);
    (good as BlynkDevice).start();
    for (let i = 0; i < 50 && !(good as BlynkDevice).online; i++) hal.time.step();
    expect((good as BlynkDevice).online).toBe(true);
  });

  test.each(BAD)('%s: a refused BlynkClient does not take the running device\'s network listener', (_what, o) => {
    const hal = createMockHal();
    new FakeBroker(hal);
    const good = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001' });
    const net: boolean[] = [];
    good.on('network', (up) => void net.push(up));
    expect(() => new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', ...o })).toThrow(BlynkError);
    hal.network.set(false);
    expect(net).toEqual([false]);
  });

  test.each(BAD)('%s: MqttSession itself throws CONFIG before it makes its link or listens to the network', (_what, o) => {
    const hal = createMockHal();
    const config = resolveConfig({ token: TOKEN, templateId: 'TMPL0001', ...o });
    let listened = false;
    const onChange = hal.network.onChange.bind(hal.network);
    hal.network.onChange = (l) => {
      listened = true;
      onChange(l);
    };
    const hooks = { nextEndpoint: () => config.server, sessionOnline: () => {}, incoming: () => {}, attemptEnded: () => {}, sessionEvent: () => {} };
    expect(() => new MqttSession(hal, config, hooks, new Logger(hal.log, 'debug'))).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG }));
    expect(listened).toBe(false);
    const fine = resolveConfig({ token: TOKEN, templateId: 'TMPL0001' });
    expect(() => new MqttSession(hal, fine, hooks, new Logger(hal.log, 'debug'))).not.toThrow();
    expect(listened).toBe(true);
  });

  test('a configuration broken after construction: no CONNECT goes out, the attempt fails with CONFIG, nothing throws, and it connects once repaired', () => {
    const hal = createMockHal();
    const broker = new FakeBroker(hal);
    const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', connectTimeoutMs: 1000 });
    const errors: BlynkError[] = [];
    client.events.on('error', (e) => void errors.push(e));
    const cfg = client.config as { password: string };
    cfg.password = `${TOKEN}\uD800`; // a careless application writing into client.config
    expect(() => {
      client.start();
      for (let i = 0; i < 30; i++) hal.time.step();
    }).not.toThrow();
    expect(broker.packets('connect').length).toBe(0);
    expect(client.online).toBe(false);
    // The attempt fails at once with the reason (Link.handshake), not by waiting for a CONNACK.
    expect(errors.some((e) => e.code === ErrorCode.CONFIG && e.message.includes('cannot build CONNECT'))).toBe(true);
    expect(errors.some((e) => e.code === ErrorCode.CONNECT_TIMEOUT)).toBe(false);
    for (const e of errors) expect(leaked(e.message)).toBe(false);
    cfg.password = TOKEN;
    for (let i = 0; i < 200 && !client.online; i++) hal.time.step();
    expect(client.online).toBe(true);
    expect(broker.packets('connect').length).toBeGreaterThan(0);
    for (const l of hal.log.lines) expect(leaked(l.message)).toBe(false);
  });
});

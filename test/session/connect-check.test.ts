// C-CONN-3 / C-API: a configuration whose CONNECT cannot be built (here a token or client id
// that is not well-formed Unicode) is refused when the device is made, with CONFIG, by the
// session's constructor; and should the CONNECT fail later, the attempt fails with the reason
// (never a connection that waits for a CONNACK to a CONNECT it did not send).
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { BlynkError, ErrorCode } from '../../src/errors';
import { makeDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

describe('the CONNECT check', () => {
  test.each([
    ['a token with a lone surrogate', { token: TOKEN.slice(0, 20) + '\uD800' }],
    ['a client id with a lone surrogate', { token: TOKEN, clientId: 'dev\uDC00' }],
  ])('%s: new BlynkDevice throws CONFIG, create() returns it, and the HAL stays free', (_what, o) => {
    const hal = createMockHal({ seed: 1 });
    const options = { hal, templateId: 'TMPL0001', ...o };
    let thrown: unknown;
    try {
      new BlynkDevice(options);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BlynkError);
    expect((thrown as BlynkError).code).toBe(ErrorCode.CONFIG);
    expect((thrown as BlynkError).message).toContain('cannot build CONNECT');
    const made = BlynkDevice.create(options);
    expect(made).toBeInstanceOf(BlynkError);
    expect((made as BlynkError).code).toBe(ErrorCode.CONFIG);
    // The refused device took nothing: a good one can use the HAL.
    expect(BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
  });

  test('a CONNECT that stops building after the device was made fails the attempt with CONFIG; nothing is sent', () => {
    const d = makeDevice();
    // The session holds the resolved configuration it was made with; break it behind its back.
    (d.client as unknown as { config: { password: string } }).config.password = 'x\uD800';
    d.client.start();
    d.hal.time.flush();
    const e = d.errors.find((x) => x.code === ErrorCode.CONFIG);
    expect(e?.message).toContain('cannot build CONNECT');
    expect(d.client.online).toBe(false);
    expect(d.broker.packets('connect')).toHaveLength(0);
  });
});

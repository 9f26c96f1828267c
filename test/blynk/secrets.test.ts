import { maskToken, Scrubber } from '../../src/util/secrets';
import { bringOnline, makeDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

describe('C-SECRETS the token never leaves unmasked', () => {
  test('masking keeps only the last 4 characters', () => {
    expect(maskToken(TOKEN)).toBe('****' + TOKEN.slice(-4));
    expect(maskToken('abc')).toBe('****');
  });

  test('the scrubber masks every occurrence', () => {
    const s = new Scrubber(TOKEN);
    expect(s.scrub(`a ${TOKEN} b ${TOKEN}`)).toBe(`a ****${TOKEN.slice(-4)} b ****${TOKEN.slice(-4)}`);
  });

  test('the device names itself by the masked token in its log', () => {
    const d = makeDevice();
    bringOnline(d);
    expect(d.hal.log.text()).toContain(maskToken(TOKEN));
    expect(d.hal.log.text()).not.toContain(TOKEN);
  });

  test('a token that reaches an error from below (a transport detail) is masked in the error and the log', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.conn!.cut('reset', `peer said: password ${TOKEN} rejected`);
    d.hal.time.flush();
    const e = d.errors.find((x) => x.message.includes('peer said'))!;
    expect(e.message).toContain(maskToken(TOKEN));
    expect(e.message).not.toContain(TOKEN);
    expect(d.hal.log.text()).not.toContain(TOKEN);
  });

  test('a handler exception quoting the token is masked', () => {
    const d = makeDevice();
    d.client.onDownlink = () => {
      throw new Error(`oops ${TOKEN}`);
    };
    bringOnline(d);
    d.broker.push('downlink/ds/Power', '1');
    d.hal.time.flush();
    expect(d.errors.some((e) => e.message.includes('oops'))).toBe(true);
    expect(d.errors.every((e) => !e.message.includes(TOKEN))).toBe(true);
    expect(d.client.online).toBe(true);
  });
});

test('the suite-wide guard recognizes a leaked token and ignores a masked one', async () => {
  const { tokensIn } = await import('../support/secrets-guard');
  expect(tokensIn(`password=${TOKEN}`)).toEqual([TOKEN]);
  expect(tokensIn(`device ${maskToken(TOKEN)}`)).toEqual([]);
});

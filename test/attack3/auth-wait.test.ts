// attack3: the C-CONN-4 auth wait (reconnect.ts authWaitLeft, session.connectOrWait, stop(keepWaits),
// BlynkClient.pause used by the OTA host). Two sides: no path may try again sooner than
// authRetryMs after CONNACK 4/5 without the application's own stop()/start(), and the device must
// never be stuck in auth-failed (nor ignore the application's own stop()/start()).
import { ErrorCode } from '../../src/errors';
import { createMockHal } from '../../hal/mock';
import type { Timers } from '../../hal/interfaces';
import { BlynkClient } from '../../src/blynk/client';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { makeApiDevice, makeDevice, type TestDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

const AUTH_MS = 15 * 60_000;

/**
 * Run virtual time until the state is `s` (one due moment at a time). Every connection closes
 * slowly (the peer confirms the close only when it cuts the link, `latencyMs` later), as a TLS
 * socket on a device does: CLOSING lasts a while instead of one timer turn.
 */
function stepUntil(d: { hal: TestDevice['hal'] }, state: () => string, s: string, max = 1000): void {
  for (let i = 0; i < max && state() !== s; i++) {
    for (const c of d.hal.transport.connections) c.holdClose = true;
    if (!d.hal.time.step()) break;
  }
  if (state() !== s) throw new Error(`never reached ${s}; state ${state()}`);
}

describe('found by attack3, fixed: C-CONN-4 the runtime\'s own pause during the close of a refused attempt drops the auth wait', () => {
  // CONNACK 5 -> fail() -> CLOSING; the auth wait is only armed by afterLoss() once the transport
  // is gone. stop(true) in CLOSING returns early, and finish() then sees wanted === false and
  // resets the policy: afterLoss() never runs, so the resume (start()) connects at once.
  test('C-CONN-4: client.pause() while closing after CONNACK 5, then the runtime resumes: no new attempt for 15 minutes', () => {
    const d = makeDevice({}, { latencyMs: 5 });
    d.broker.connackCode = 5;
    d.client.start();
    stepUntil(d, () => d.client.state, 'closing');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.AUTH_FAILED);
    d.client.pause(); // the OTA host pauses (an offer decided while the connection failed)
    d.hal.time.advance(10); // the peer cuts the refused link
    expect(d.client.state).toBe('stopped');
    d.hal.time.advance(1000);
    d.client.start(); // the OTA host resumes (download failed)
    expect(d.client.state).toBe('auth-failed'); // found: 'connecting', a second attempt 1 s after the refusal
    d.hal.time.advance(10);
    d.hal.time.advance(AUTH_MS - 5000);
    expect(d.hal.transport.connections).toHaveLength(1);
  });

  test('C-CONN-4 through the real OTA path: an onOta promise that accepts while the refused attempt closes, a download that breaks later: no new attempt for 15 minutes', async () => {
    const d = makeApiDevice();
    const url = 'https://fra1.blynk.cloud/static/fw.bin';
    // A download that breaks half a second in: after the refused link has closed.
    d.hal.http!.serve(url, { body: new Uint8Array(100), chunkSize: 10, intervalMs: 100, errorAt: 50 });
    d.broker.latencyMs = 5;
    let accept: (v: boolean) => void = () => undefined;
    d.device.onOta(() => new Promise<boolean>((r) => (accept = r)));
    d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 100 }));
    d.hal.time.advance(10); // the offer is being decided
    d.broker.connackCode = 5; // the token was revoked meanwhile
    d.hal.transport.last!.cut('reset');
    stepUntil(d, () => d.device.state, 'closing');
    const before = d.hal.transport.connections.length;
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.AUTH_FAILED);
    accept(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(d.hal.http!.requests).toEqual([url]); // the download started and paused the connection
    d.hal.time.advance(60_000); // the download fails, the connection resumes
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_DOWNLOAD);
    expect(d.hal.transport.connections).toHaveLength(before); // no attempt before the auth wait ends
  });
});

describe('found by attack3, fixed: C-CONN-4 / C-APP-2 the application\'s own stop() while the runtime has paused does not end the auth wait', () => {
  // stop() in STOPPED returns before policy.reset(): after pause() (keepWaits), the
  // application's stop() + start() still waits out the auth interval, unlike the same calls
  // without the pause (connect.test.ts: "the application's own stop() and start() still try at once").
  test("C-CONN-4: auth-failed, pause(), the application's stop() then start(): it tries at once", () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    d.client.pause();
    d.client.stop(); // the application's own stop: its next start() is its call
    d.client.start();
    d.hal.time.advance(10);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test("C-CONN-4: the application's stop() then start() while the refused attempt is still closing: it tries at once, as it does once auth-failed", () => {
    // stop() in CLOSING returns early; start() sets wanted again, so finish() runs afterLoss():
    // the application's own stop()+start() ends in a 15-minute wait.
    const d = makeDevice({}, { latencyMs: 5 });
    d.broker.connackCode = 5;
    d.client.start();
    stepUntil(d, () => d.client.state, 'closing');
    d.client.stop();
    d.client.start();
    d.broker.connackCode = 0;
    d.hal.time.advance(100);
    expect(d.client.online).toBe(true); // found: auth-failed for 15 minutes
  });
});

describe('C-CONN-4 attacks that held', () => {
  test('C-CONN-4: network flaps during the auth wait do not bring the next attempt forward', () => {
    const d = makeDevice();
    d.broker.connackCode = 4;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    for (let i = 0; i < 20; i++) {
      d.hal.network.set(false);
      d.hal.time.advance(1000);
      d.hal.network.set(true);
      d.hal.time.advance(1000);
    }
    d.hal.time.advance(AUTH_MS - 40_000 - 1000);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.hal.time.advance(2000);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test('C-CONN-4: the network down when the wait ends: waits for the network, then tries (not stuck in auth-failed)', () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    d.hal.network.set(false);
    d.hal.time.advance(AUTH_MS + 1000);
    expect(d.client.state).toBe('waiting-network');
    d.broker.connackCode = 0;
    d.hal.network.set(true);
    d.hal.time.advance(10);
    expect(d.client.online).toBe(true);
  });

  test('C-CONN-4: pause and resume many times within the wait: the wait holds, and ends on time', () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    for (let i = 0; i < 10; i++) {
      d.client.pause();
      d.hal.time.advance(30_000);
      d.client.start();
      expect(d.client.state).toBe('auth-failed');
      d.hal.time.advance(30_000);
    }
    expect(d.hal.transport.connections).toHaveLength(1);
    d.hal.time.advance(AUTH_MS - 600_000 + 1000);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test('C-CONN-4: paused across the end of the wait, resumed later: tries at once on resume', () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    d.client.pause();
    d.hal.time.advance(AUTH_MS + 60_000);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.broker.connackCode = 0;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.online).toBe(true);
  });

  test('C-CONN-4: start() again while auth-failed changes nothing', () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    d.client.start();
    d.hal.time.advance(10);
    expect(d.hal.transport.connections).toHaveLength(1);
  });

  test('C-CONN-4: the wait survives CONNACK 5 arriving in a chunk with more packets after it (nothing after the refusal is handled)', () => {
    const d = makeDevice();
    // CONNACK 5, then a PUBLISH downlink/redirect in the same chunk: the refusal ends the handshake.
    const redirect = Buffer.from('downlink/redirect');
    const uri = Buffer.from('mqtts://fra1.blynk.cloud:8883');
    const pub = Buffer.concat([Buffer.from([0x30, 2 + redirect.length + uri.length, 0, redirect.length]), redirect, uri]);
    d.broker.connackBytes = new Uint8Array(Buffer.concat([Buffer.from([0x20, 2, 0, 5]), pub]));
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    d.hal.time.advance(AUTH_MS - 1000);
    expect(d.hal.transport.connections).toHaveLength(1);
  });

  test('C-CONN-4: timers that fire early (at a third of their delay): the wait is armed again, the next attempt is still 15 minutes after the refusal, then it happens', () => {
    const hal = createMockHal({ seed: 3 });
    const broker = new FakeBroker(hal);
    broker.connackCode = 5;
    const early: Timers = {
      set: (fn, ms) => hal.time.set(fn, ms >= 60_000 ? Math.floor(ms / 3) : ms),
      repeat: (fn, ms) => hal.time.repeat(fn, ms),
      clear: (h) => hal.time.clear(h),
    };
    const client = new BlynkClient({ ...hal, timers: early }, { token: TOKEN, templateId: 'TMPL0001' });
    client.start();
    hal.time.advance(10);
    expect(client.state).toBe('auth-failed');
    hal.time.advance(AUTH_MS - 1000);
    expect(hal.transport.connections).toHaveLength(1);
    expect(client.state).toBe('auth-failed');
    hal.time.advance(AUTH_MS); // not stranded: the re-armed waits get there
    expect(hal.transport.connections.length).toBeGreaterThanOrEqual(2);
  });
});

// attack3: the same question as C-CONN-4's auth wait, for the C-DUPLICATE wait (minutes, so the
// other device on the token keeps its connection): can the runtime's own pause and resume (an OTA
// download that fails, client.pause() then start()) cut it short? reconnect.ts keeps the
// auth wait across a pause (authWaitLeft); the duplicate wait is only the BACKOFF state's timer,
// which stop(true) discards.
import { ErrorCode } from '../../src/errors';
import { makeDevice } from '../support/device';

describe('found by attack3, fixed: C-DUPLICATE the runtime\'s pause and resume cut the duplicate-token wait short', () => {
  test('C-DUPLICATE: in the duplicate wait, pause() then start() (the OTA host) reconnects at once and kicks the other device again', () => {
    const d = makeDevice();
    d.broker.kickAfterMs = 2000; // the other device connects and the cloud drops this one
    const waits: number[] = [];
    d.client.events.on('duplicate', (v) => waits.push(v.waitMs));
    d.client.start();
    for (let i = 0; i < 500 && waits.length === 0; i++) d.hal.time.step();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.DUPLICATE_TOKEN);
    expect(d.client.state).toBe('backoff');
    const connects = d.client.counters.connects;
    d.hal.time.advance(1000);
    d.client.pause(); // an OTA download starts (offer decided a moment ago) ...
    d.hal.time.advance(1000);
    d.client.start(); // ... and fails: the runtime resumes
    d.hal.time.advance(1000);
    // The duplicate wait (at least waitMs/2, minutes) is not over: no new connection yet.
    expect(d.client.counters.connects).toBe(connects); // found: connects + 1, 3 s into a wait of minutes
  });
});

// attack3: a new user writing plain JavaScript against the documented API (no TypeScript to catch
// a wrong event name). Clause: C-APP-3 (a misuse is a typed error returned at once, never a throw).
import { makeApiDevice } from '../support/device';

describe('found by attack3, fixed: C-APP-3 on() with an event name that is an Object.prototype member throws', () => {
  // The emitter's lazy listener table is a plain object: `all['toString'] ??= []` finds
  // Object.prototype.toString, and list.push throws a TypeError into the application.
  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])("C-APP-3: device.on('%s', fn) does not throw", (name) => {
    const d = makeApiDevice({}, { online: false });
    expect(() => d.device.on(name as never, () => undefined)).not.toThrow();
  });
});

describe('C-APP-3 new-user misuse that held', () => {
  test('C-APP-3: an unknown event name is accepted and simply never fires; a non-function listener is a reported error', () => {
    const d = makeApiDevice({}, { online: false });
    expect(() => d.device.on('onlin' as never, () => undefined)).not.toThrow();
    expect(() => d.device.on('online', 42 as never)).not.toThrow();
    expect(d.errors.length).toBeGreaterThan(0);
  });
});

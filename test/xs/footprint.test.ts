// C-LIMITS (fixed memory): what this runtime keeps once online, counted inside XS with xsnap's
// meter after a gc() (counts, not times), so a change that makes the device hold more fails
// here in every run. Slots: exact live-slot deltas from nothing to online with one handler
// (the mock HAL and fake broker are counted apart, as the harness). Chunks: xsnap reports
// none, so the bytes of the buffers and strings reachable from the online device stand in
// (bench:ram measures the real chunk heap in the Moddable simulator).
import { measureFootprint, type Footprint } from '../../tools/xs/footprint';

// Measured when this test was written: 699 slots and 2,435 bytes. Raised on purpose to 866
// slots and 2,665 bytes by the policy/driver split and the hardening of issues 10 and 11 (the
// link, the three policies, the packet writer, the re-entrancy guards): issue 14's goal of
// removing what need not exist at rest is still open. Raised to 900 for the second attack's
// fixes (888 measured: the kept-values retry, the info/mcu size check). Lowered to 425 by issue 14
// (422 measured): one observer/owner object per layer instead of forwarder closures and listener
// lists, per-connection callbacks as one small object, nothing made before it is needed. Raised
// on purpose to 450 (444 measured) when merged with the receive fast path (the framer's chunk
// view and path flags, the drain as its own object, the hot-field copies Requests.waiting and
// Downlinks.requests: 1.5x the messages per second) and the auth-wait fixes (the policy's end of
// the wait, the session's pause flag, the link's message sink). Lowered to 440 and 2,300 bytes
// (431 and 2,198 measured) when the topic cache became 768 bytes made by its first topic.
// Raise them only on purpose.
const RUNTIME_SLOTS = 440;
const REACHABLE_BYTES = 2300;

let f: Footprint;

beforeAll(async () => {
  f = await measureFootprint();
}, 60_000);

test('the runtime online with one handler holds at most RUNTIME_SLOTS live slots', () => {
  expect(f.runtime).toBeLessThanOrEqual(RUNTIME_SLOTS);
  expect(f.runtime).toBeGreaterThan(100); // it did measure something
});

test('a second minute online (a value a second, downlinks, pings) adds no live slot', () => {
  expect(f.anotherMinute).toBe(0);
});

test('the buffers and strings reachable from the online device are at most REACHABLE_BYTES', () => {
  const bytes = Object.values(f.attribution).reduce((a, [, , b]) => a + b, 0);
  expect(bytes).toBeGreaterThan(1024); // the receive ring alone is more
  expect(bytes).toBeLessThanOrEqual(REACHABLE_BYTES);
});

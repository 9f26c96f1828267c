// Timers, clock, network, log, random, reboot and digests of the Node HAL.
import { createHash } from 'node:crypto';
import { createNodeHal, type NodeHal } from '../../../hal/node';
import type { LogLevel } from '../../../hal/interfaces';

const hals: NodeHal[] = [];
function hal(options: Parameters<typeof createNodeHal>[0] = {}): NodeHal {
  const h = createNodeHal({ log: () => {}, ...options });
  hals.push(h);
  return h;
}
afterEach(() => {
  for (const h of hals.splice(0)) h.dispose();
});

describe('timers', () => {
  it('set(fn, 0) runs later, never inside set()', async () => {
    const h = hal();
    const order: string[] = [];
    const fired = new Promise<void>((resolve) =>
      h.timers.set(() => {
        order.push('timer');
        resolve();
      }, 0),
    );
    order.push('after set');
    await fired;
    expect(order).toEqual(['after set', 'timer']);
  });

  it('timers fire in order of their delays', async () => {
    const h = hal();
    const order: number[] = [];
    const done = new Promise<void>((resolve) => {
      h.timers.set(() => order.push(20), 20);
      h.timers.set(() => {
        order.push(30);
        resolve();
      }, 30);
      h.timers.set(() => order.push(5), 5);
    });
    await done;
    expect(order).toEqual([5, 20, 30]);
  });

  it('repeat() runs until cleared; clear() takes undefined and spent handles', async () => {
    const h = hal();
    let runs = 0;
    let handle: unknown;
    await new Promise<void>((resolve) => {
      handle = h.timers.repeat(() => {
        if (++runs === 3) {
          h.timers.clear(handle);
          resolve();
        }
      }, 1);
    });
    const spent = h.timers.set(() => {}, 0);
    await new Promise<void>((resolve) => h.timers.set(() => resolve(), 5));
    expect(() => {
      h.timers.clear(undefined);
      h.timers.clear(spent);
      h.timers.clear(handle);
      h.timers.clear({ not: 'a timer' });
    }).not.toThrow();
    expect(runs).toBe(3);
  });

  it('a cleared timer never fires', async () => {
    const h = hal();
    let fired = false;
    h.timers.clear(h.timers.set(() => (fired = true), 0));
    await new Promise<void>((resolve) => h.timers.set(() => resolve(), 5));
    expect(fired).toBe(false);
  });

  it('a callback that throws is logged, not thrown into Node', async () => {
    const lines: string[] = [];
    const h = hal({ log: (level, message) => lines.push(`${level} ${message}`) });
    h.timers.set(() => {
      throw new Error('core bug');
    }, 0);
    await new Promise<void>((resolve) => h.timers.set(() => resolve(), 1));
    expect(lines.some((l) => l.startsWith('error timer callback threw') && l.includes('core bug'))).toBe(true);
  });

  it('dispose() clears pending timers and schedules no new ones', async () => {
    const h = hal();
    let fired = 0;
    h.timers.set(() => fired++, 0);
    h.timers.repeat(() => fired++, 1);
    h.dispose();
    h.dispose();
    h.timers.set(() => fired++, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toBe(0);
  });
});

describe('clock', () => {
  it('is monotonic and moves forward', async () => {
    const h = hal();
    const a = h.clock.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const b = h.clock.now();
    expect(b).toBeGreaterThan(a);
    for (let i = 0, last = h.clock.now(); i < 1000; i++) {
      const now = h.clock.now();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });
});

describe('network', () => {
  it('is up by default; setNetworkUp tells the listener about changes only', () => {
    const h = hal();
    const seen: boolean[] = [];
    expect(h.network.isUp()).toBe(true);
    h.network.onChange((up) => seen.push(up));
    h.setNetworkUp(true);
    h.setNetworkUp(false);
    expect(h.network.isUp()).toBe(false);
    h.setNetworkUp(false);
    h.setNetworkUp(true);
    expect(seen).toEqual([false, true]);
    expect(hal({ networkUp: false }).network.isUp()).toBe(false);
  });
});

describe('log, random, reboot', () => {
  it('sends log lines to the sink and survives a sink that throws', () => {
    const lines: [LogLevel, string][] = [];
    hal({ log: (level, message) => lines.push([level, message]) }).log.write('warn', 'hello');
    expect(lines).toEqual([['warn', 'hello']]);
    const broken = hal({
      log: () => {
        throw new Error('sink');
      },
    });
    expect(() => broken.log.write('info', 'x')).not.toThrow();
  });

  it('logs to the console with a level prefix by default', () => {
    const original = console.warn;
    const printed: unknown[][] = [];
    console.warn = (...args: unknown[]) => printed.push(args);
    try {
      createNodeHal().log.write('warn', 'careful');
    } finally {
      console.warn = original;
    }
    expect(printed).toEqual([['[warn] careful']]);
  });

  it('gives numbers in [0, 1), reproducible with a seed', () => {
    const a = hal({ seed: 42 }).random;
    const b = hal({ seed: 42 }).random;
    const c = hal({ seed: 43 }).random;
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.slice(0, 10)).not.toEqual(Array.from({ length: 10 }, () => c.next()));
    for (const x of [...xs, hal().random.next()]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(new Set(xs).size).toBeGreaterThan(990);
  });

  it('reboot() calls onReboot, or logs the request', () => {
    let reboots = 0;
    hal({ onReboot: () => reboots++ }).device.reboot();
    expect(reboots).toBe(1);
    const lines: string[] = [];
    hal({ log: (_level, message) => lines.push(message) }).device.reboot();
    expect(lines.join()).toMatch(/reboot requested/);
  });
});

describe('digest', () => {
  it.each(['md5', 'sha256'] as const)('%s matches node:crypto, fed in pieces', (algorithm) => {
    const d = hal().digest(algorithm)!;
    d.update(new TextEncoder().encode('hello '));
    d.update(new TextEncoder().encode('world'));
    const out = d.finish();
    expect(out.constructor).toBe(Uint8Array);
    expect(Buffer.from(out).toString('hex')).toBe(createHash(algorithm).update('hello world').digest('hex'));
    expect(d.finish()).toEqual(out);
  });

  it('has nothing for other algorithms', () => {
    expect(hal().digest('sha1' as 'md5')).toBeUndefined();
  });
});

// createModdableHal: wiring, digests, log, reboot.
import { createHash } from 'node:crypto';
import { createModdableHal } from '../../../hal/moddable/index';
import { makeFakes } from './fakes/modules';
import { FakeOTA } from './fakes/ota';
import { FakeSocket } from './fakes/socket';

describe('createModdableHal', () => {
  it('builds every part of the Hal from the modules', () => {
    const f = makeFakes();
    const hal = createModdableHal(f.modules, { ota: { OTA: FakeOTA, capacity: 1 << 20 } });
    expect(Object.keys(hal).sort()).toEqual(['clock', 'device', 'digest', 'http', 'log', 'network', 'ota', 'random', 'storage', 'timers', 'transport'].sort());
    expect(hal.network.isUp()).toBe(true);
    expect(hal.ota!.capacity()).toBe(1 << 20);
    expect(hal.storage.set('x', Uint8Array.of(1))).toBe(true);
    expect(f.preference.store.has('blynk/x')).toBe(true);
    const r = hal.random.next();
    expect(r >= 0 && r < 1).toBe(true);
    hal.transport.open({ scheme: 'mqtt', host: 'h', port: 1883, path: '' }, { onOpen() {}, onData() {}, onDrain() {}, onClose() {} });
    expect(FakeSocket.last().options.host).toBe('h');
  });

  it('leaves out what the modules or options do not provide', () => {
    const f = makeFakes();
    const { Request: _r, Digest: _d, ...rest } = f.modules;
    const hal = createModdableHal(rest);
    expect(hal.http).toBeUndefined();
    expect(hal.ota).toBeUndefined();
    expect(hal.digest).toBeUndefined();
  });

  it('native digests for md5 and sha256', () => {
    const f = makeFakes();
    const hal = createModdableHal(f.modules);
    for (const [name, node] of [['md5', 'md5'], ['sha256', 'sha256']] as const) {
      const d = hal.digest!(name)!;
      d.update(new TextEncoder().encode('hello '));
      d.update(new TextEncoder().encode('world'));
      expect(Buffer.from(d.finish()).toString('hex')).toBe(createHash(node).update('hello world').digest('hex'));
    }
  });

  it('logs through trace with a level filter', () => {
    const f = makeFakes();
    const hal = createModdableHal(f.modules, { logLevel: 'warn' });
    hal.log.write('info', 'hidden');
    hal.log.write('error', 'shown');
    expect(f.traces).toEqual(['[blynk error] shown\n']);
  });

  it('reboot uses the restart given, else only logs (simulator)', () => {
    const f = makeFakes();
    createModdableHal(f.modules, { logLevel: 'debug' }).device.reboot();
    expect(f.traces.at(-1)).toContain('no restart');
    let restarted = 0;
    createModdableHal(f.modules, { restart: () => restarted++ }).device.reboot();
    expect(restarted).toBe(1);
  });

  it('the clock starts at 0 and follows Time', () => {
    const f = makeFakes();
    const hal = createModdableHal(f.modules);
    f.timer.advance(250);
    expect(hal.clock.now()).toBe(250);
  });
});

// Network state from the classic and ECMA-419 Wi-Fi modules, and the reconnect.
import { ModdableNetwork } from '../../../hal/moddable/network';
import { makeFakes, recordingLog } from './fakes/modules';
import { FakeWiFi419, FakeWiFiClassic } from './fakes/wifi';

beforeEach(() => {
  FakeWiFiClassic.reset();
  FakeWiFi419.reset();
});

describe('ModdableNetwork', () => {
  it('without a Wi-Fi module: up while Net has an IP address', () => {
    const f = makeFakes();
    expect(new ModdableNetwork({ Timer: f.timer, Net: f.modules.Net, log: recordingLog() }).isUp()).toBe(true);
    f.net.ip = undefined;
    expect(new ModdableNetwork({ Timer: f.timer, Net: f.modules.Net, log: recordingLog() }).isUp()).toBe(false);
    expect(new ModdableNetwork({ Timer: f.timer, log: recordingLog() }).isUp()).toBe(true);
  });

  it('ECMA-419: up at 500, down at 200, reconnects with a growing delay until the IP is back', () => {
    const f = makeFakes();
    const changes: boolean[] = [];
    const net = new ModdableNetwork({ Timer: f.timer, Net: f.modules.Net, log: recordingLog() }, { ecma419: FakeWiFi419, ssid: 'home', password: 'pw', reconnectMs: 1000, reconnectMaxMs: 4000 });
    net.onChange((up) => changes.push(up));
    const w = FakeWiFi419.instances[0]!;
    expect(net.isUp()).toBe(true);
    w.change(200);
    expect(changes).toEqual([false]);
    expect(w.connects).toEqual([]);
    f.timer.advance(1000);
    expect(w.connects).toEqual([{ SSID: 'home', password: 'pw' }]);
    w.change(300); // connecting: no change reported
    w.change(200); // failed: the next attempt after the back-off delay
    f.timer.advance(2000);
    expect(w.connects.length).toBe(2);
    w.change(200);
    f.timer.advance(4000);
    expect(w.connects.length).toBe(3);
    w.change(300); // this attempt stays quiet: the next one comes after attemptMs
    w.connecting = false; // (the driver gave up without an event)
    f.timer.advance(19_999);
    expect(w.connects.length).toBe(3);
    f.timer.advance(1 + 4000);
    expect(w.connects.length).toBe(4);
    w.change(400); // associated, no IP yet
    expect(changes).toEqual([false]);
    w.change(500);
    expect(changes).toEqual([false, true]);
    f.timer.advance(60_000);
    expect(w.connects.length).toBe(4); // no more attempts while up
    net.stop();
    expect(w.closed).toBe(true);
  });

  it('ECMA-419: reconnect off keeps only reporting; "already connecting" is tolerated', () => {
    const f = makeFakes();
    FakeWiFi419.initial = 200;
    const net = new ModdableNetwork({ Timer: f.timer, log: recordingLog() }, { ecma419: FakeWiFi419, ssid: 'home', reconnect: false });
    expect(net.isUp()).toBe(false);
    f.timer.advance(100_000);
    expect(FakeWiFi419.instances[0]!.connects).toEqual([]);

    const net2 = new ModdableNetwork({ Timer: f.timer, log: recordingLog() }, { ecma419: FakeWiFi419, ssid: 'home', reconnectMs: 10 });
    const w = FakeWiFi419.instances[1]!;
    w.connecting = true;
    w.change(200);
    w.connecting = true; // still busy when the retry comes
    expect(() => f.timer.advance(10)).not.toThrow();
    expect(net2.isUp()).toBe(false);
  });

  it('classic wifi: listens without connecting, reports gotIP / disconnect, reconnects with WiFi.connect', () => {
    const f = makeFakes();
    const changes: boolean[] = [];
    const net = new ModdableNetwork({ Timer: f.timer, Net: f.modules.Net, log: recordingLog() }, { classic: FakeWiFiClassic, ssid: 'lab', reconnectMs: 500 });
    net.onChange((up) => changes.push(up));
    const w = FakeWiFiClassic.instances[0]!;
    expect(w.options).toBeUndefined();
    w.callback('disconnect', 8);
    expect(changes).toEqual([false]);
    f.timer.advance(500);
    expect(FakeWiFiClassic.connects).toEqual([{ ssid: 'lab' }]);
    w.callback('connect');
    expect(changes).toEqual([false]);
    w.callback('gotIP');
    expect(changes).toEqual([false, true]);
  });

  it('classic wifi that cannot be watched (the simulator allows one instance) falls back quietly', () => {
    const f = makeFakes();
    FakeWiFiClassic.throwOnCreate = 'only one instance in simulator';
    const log = recordingLog();
    const net = new ModdableNetwork({ Timer: f.timer, Net: f.modules.Net, log }, { classic: FakeWiFiClassic });
    expect(net.isUp()).toBe(true);
    expect(log.lines[0]).toContain('only one instance');
  });

  it('a listener that throws does not escape into the Wi-Fi callback', () => {
    const f = makeFakes();
    const net = new ModdableNetwork({ Timer: f.timer, log: recordingLog() }, { ecma419: FakeWiFi419 });
    net.onChange(() => {
      throw new Error('core bug');
    });
    expect(() => FakeWiFi419.instances[0]!.change(200)).not.toThrow();
  });
});

// C-PROVISION on the Moddable HAL, against fakes of the SDK's "wifi", "http" Server and
// "dns/server": the callback sequence the SDK's server drives, the limits, the AP, the join and
// the scan mapping; then the provisioner's endpoints through it.
import { createModdableHal } from '../../../hal/moddable';
import type { ModdableScanItem, WiFiStatics } from '../../../hal/moddable/provision';
import { Provisioner } from '../../../src/provision/provisioner';
import { TOKEN } from '../../support/tokens';
import { makeFakes } from './fakes/modules';

interface SdkAnswer {
  status: number;
  headers: string[];
  body: ArrayBuffer | true | undefined;
  /** The pieces responseFragment gave, joined. */
  sent: Uint8Array;
}

class FakeSdkServer {
  static last: FakeSdkServer | undefined;
  callback!: (this: unknown, message: number, value?: unknown, etc?: unknown) => unknown;
  closed = false;
  constructor(readonly dictionary: { port: number }) {
    FakeSdkServer.last = this;
  }
  close(): void {
    this.closed = true;
  }
  /** One request, as the SDK's server calls back for it; `stall` stops after the headers. */
  request(method: string, path: string, headers: [string, string][] = [], body?: string, stall = false): { answer: SdkAnswer | undefined; raw: string[]; closed: boolean } {
    const out = { answer: undefined as SdkAnswer | undefined, raw: [] as string[], closed: false };
    const req = { close: () => (out.closed = true), socket: { write: (...p: unknown[]) => out.raw.push(p.join('')) } };
    const cb = (m: number, v?: unknown, e?: unknown) => this.callback.call(req, m, v, e);
    cb(1);
    cb(2, path, method);
    for (const [n, v] of headers) cb(3, n, v);
    if (stall) return out;
    const kind = cb(4);
    if (body !== undefined && kind !== false) cb(6, new TextEncoder().encode(body).buffer);
    out.answer = cb(8) as SdkAnswer;
    const parts: number[] = [];
    for (let room = 700; out.answer.body === true; ) {
      const p = cb(9, room) as ArrayBuffer | undefined;
      if (!p) break;
      expect(p.byteLength).toBeLessThanOrEqual(room);
      parts.push(...new Uint8Array(p));
    }
    out.answer.sent = new Uint8Array(parts);
    cb(10);
    return out;
  }
}

const text = (a: SdkAnswer | undefined) => new TextDecoder().decode(a!.sent);

function setup() {
  const f = makeFakes();
  const calls: string[] = [];
  let scanCb: ((item?: ModdableScanItem) => void) | undefined;
  const WiFi: WiFiStatics = {
    mode: 0,
    accessPoint: (d) => void calls.push(`accessPoint ${d.ssid} station=${d.station}`),
    connect: (d) => void calls.push(d ? `connect ${d.ssid}` : 'connect'),
    disconnect: () => void calls.push('disconnect'),
    scan: (_d, cb) => void ((scanCb = cb), calls.push('scan')),
  };
  const dnsNames: string[] = [];
  class FakeDns {
    constructor(readonly cb: (m: number, v: string) => string | undefined) {
      dnsNames.push(String(cb(1, 'blynk.setup')), String(cb(1, 'example.com')));
    }
    close() {}
  }
  f.net.ip = undefined;
  const hal = createModdableHal(f.modules, { provisioning: { WiFi, Server: FakeSdkServer, DnsServer: FakeDns } });
  return { f, hal, calls, dnsNames, scan: (items: ModdableScanItem[]) => { for (const i of items) scanCb!(i); scanCb!(); } };
}

test('config mode on the SDK: AP with station kept for scanning, DNS for blynk.setup only, endpoints over the SDK server', () => {
  const s = setup();
  const prov = new Provisioner({ hal: s.hal, templateId: 'TMPLmod', templateName: 'Thermostat', httpPort: 8080 });
  prov.start();
  expect(s.calls[0]).toBe('disconnect');
  expect(s.calls[1]).toMatch(/^accessPoint Blynk Thermostat-\w{4} station=true$/);
  expect(s.dnsNames).toEqual(['192.168.4.1', 'undefined']);
  const server = FakeSdkServer.last!;
  expect(server.dictionary.port).toBe(8080);
  // The scan config mode started when it opened.
  s.scan([
    { ssid: 'Home', rssi: -50, channel: 6, bssid: new Uint8Array([1, 2, 3, 4, 5, 6]).buffer, authentication: 'wpa2_psk' },
    { ssid: 'Open', rssi: -70, channel: 1, authentication: 'none' },
  ]);
  const scan = server.request('GET', '/wifi_scan.json');
  expect(scan.answer!.status).toBe(200);
  expect(JSON.parse(text(scan.answer))).toEqual([
    { ssid: 'Home', bssid: '01:02:03:04:05:06', rssi: -50, sec: 'WPA2', ch: 6 },
    { ssid: 'Open', bssid: '', rssi: -70, sec: 'OPEN', ch: 1 },
  ]);
  const info = server.request('GET', '/board_info.json');
  expect(info.answer!.headers.slice(0, 3)).toEqual(['content-type', 'application/json', 'content-length']);
  expect(Number(info.answer!.headers[3])).toBe(info.answer!.sent.length);
  const page = server.request('GET', '/');
  expect(text(page.answer)).toContain('</html>'); // 3 KB, in pieces of at most the room offered
  expect(JSON.parse(text(info.answer))).toMatchObject({ board: 'Thermostat', tmpl_id: 'TMPLmod', last_error: 0 });
  const bad = server.request('GET', `/config?ssid=Home&blynk=short`);
  expect(bad.answer!.status).toBe(500);
  const body = `ssid=Home&pass=secret123&blynk=${TOKEN}`;
  const ok = server.request('POST', '/config', [['content-type', 'application/x-www-form-urlencoded'], ['content-length', String(body.length)]], body);
  expect(JSON.parse(text(ok.answer))).toEqual({ status: 'ok', msg: 'Trying to connect...' });
  s.f.timer.advance(1000); // Edgent's switch to station
  expect(server.closed).toBe(true);
  expect(s.calls).toContain('connect Home');
  s.f.net.ip = '192.168.1.77';
  s.f.timer.advance(300);
  expect(prov.state).toBe('connecting');
  prov.stop();
});

test('limits: an oversize request is 413 without reading its body; a stalled one gets 408 and is closed; too many at once 503', () => {
  const s = setup();
  const prov = new Provisioner({ hal: s.hal, templateId: 'TMPLmod', templateName: 'T', maxConnections: 1, requestTimeoutMs: 1000 });
  prov.start();
  const server = FakeSdkServer.last!;
  expect(server.dictionary.port).toBe(80);
  const big = server.request('POST', '/config', [['content-type', 'application/x-www-form-urlencoded'], ['content-length', '100000']], 'ssid=x');
  expect(big.answer!.status).toBe(413);
  const stalled = server.request('GET', '/board_info.json', [], undefined, true);
  const crowd = server.request('GET', '/board_info.json');
  expect(crowd.answer!.status).toBe(503);
  expect(crowd.answer!.headers).toContain('retry-after');
  s.f.timer.advance(1000);
  expect(stalled.raw.join('')).toMatch(/^HTTP\/1\.1 408/);
  expect(stalled.closed).toBe(true);
  expect(server.request('GET', '/board_info.json').answer!.status).toBe(200);
  prov.stop();
});

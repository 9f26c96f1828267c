// Emulator: C-OTA — downlink/ota/json and the firmware HTTP(S) server with its failure modes.
import { jest } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../../tools/emulator';
import { TOKEN, cleanup, device, emulator, nextMessage, within } from './helpers';

jest.setTimeout(30_000);
afterEach(cleanup);

const IMAGE = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The response ended normally (false: the connection closed early). */
  complete: boolean;
}

/** GET `url`; with `stopAfter`, give up after that many body bytes (a client timing out on a stall). */
function get(emu: Emulator, url: string, stopAfter?: number): Promise<Got> {
  const mod = url.startsWith('https:') ? https : http;
  const u = new URL(url);
  // Explicit host/port/path (not the URL overload): keeps the call valid whatever 'http' typings are in scope.
  const options = { host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}`, agent: false as const, ca: emu.ca.pem };
  return within(new Promise<Got>((resolve, reject) => {
    const req = mod.get(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (complete: boolean) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete });
      if (stopAfter === 0) {
        req.destroy();
        return done(false);
      }
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (stopAfter !== undefined && size >= stopAfter) {
          req.destroy();
          done(false);
        }
      });
      res.on('end', () => done(true));
      res.on('aborted', () => done(false));
      res.on('error', () => done(false));
    });
    req.on('error', reject);
  }), `GET ${url}`);
}

describe('C-OTA firmware server', () => {
  it('serves the image with Content-Length, x-md5 (hex) and x-sha256 (base64)', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE });
    expect(img.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/static\/fw-\d+\.bin\?token=[0-9a-f]+$/);
    const result = emu.waitForEvent('otaResult');
    const r = await get(emu, img.url);
    expect(r.status).toBe(200);
    expect(r.complete).toBe(true);
    expect(r.body.equals(IMAGE)).toBe(true);
    expect(r.headers['content-length']).toBe(String(IMAGE.length));
    expect(r.headers['x-md5']).toBe(createHash('md5').update(IMAGE).digest('hex'));
    expect(r.headers['x-sha256']).toBe(createHash('sha256').update(IMAGE).digest('base64'));
    expect((await result).record).toMatchObject({ outcome: 'complete', status: 200, bytesSent: IMAGE.length, https: false });
    expect(img.downloads).toHaveLength(1);
  });

  it('serves over HTTPS with the emulator CA, from a file', async () => {
    const emu = await emulator();
    const dir = await mkdtemp(join(tmpdir(), 'emu-ota-'));
    try {
      const file = join(dir, 'fw.bin');
      await writeFile(file, IMAGE);
      const img = await emu.hostOta({ file, https: true });
      expect(img.url.startsWith('https://127.0.0.1:')).toBe(true);
      const r = await get(emu, img.url);
      expect(r.body.equals(IMAGE)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('needs the token from the URL: 403 without it, 404 for other paths', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE });
    expect((await get(emu, img.url.replace(/token=.*/, 'token=nope'))).status).toBe(403);
    expect((await get(emu, img.url.replace(/fw-\d+/, 'fw-999'))).status).toBe(404);
    expect(img.downloads).toHaveLength(0);
  });

  it('wrong-md5 / wrong-sha256 / wrong-digests send digests of other bytes; no-digests sends none', async () => {
    const emu = await emulator();
    const md5 = createHash('md5').update(IMAGE).digest('hex');
    const sha = createHash('sha256').update(IMAGE).digest('base64');
    const wm = await get(emu, (await emu.hostOta({ data: IMAGE, failure: { kind: 'wrong-md5' } })).url);
    expect([wm.headers['x-md5'] !== md5, wm.headers['x-sha256'] === sha, wm.body.equals(IMAGE)]).toEqual([true, true, true]);
    expect(wm.headers['x-md5']).toMatch(/^[0-9a-f]{32}$/);
    const ws = await get(emu, (await emu.hostOta({ data: IMAGE, failure: { kind: 'wrong-sha256' } })).url);
    expect([ws.headers['x-md5'] === md5, ws.headers['x-sha256'] !== sha]).toEqual([true, true]);
    const wd = await get(emu, (await emu.hostOta({ data: IMAGE, failure: { kind: 'wrong-digests' } })).url);
    expect([wd.headers['x-md5'] !== md5, wd.headers['x-sha256'] !== sha]).toEqual([true, true]);
    const nd = await get(emu, (await emu.hostOta({ data: IMAGE, failure: { kind: 'no-digests' } })).url);
    expect([nd.headers['x-md5'], nd.headers['x-sha256'], nd.headers['content-length']]).toEqual([undefined, undefined, String(IMAGE.length)]);
  });

  it('truncate declares the full length and closes after `at` bytes', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE, failure: { kind: 'truncate', at: 1000 } });
    const r = await get(emu, img.url);
    expect(r.headers['content-length']).toBe(String(IMAGE.length));
    expect(r.complete).toBe(false);
    expect(r.body.length).toBe(1000);
    expect(r.body.equals(IMAGE.subarray(0, 1000))).toBe(true);
    expect(img.downloads[0]).toMatchObject({ outcome: 'truncated', bytesSent: 1000 });
  });

  it('status sends an HTTP error and no image', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE, failure: { kind: 'status', status: 503 } });
    const r = await get(emu, img.url);
    expect(r.status).toBe(503);
    expect(r.headers['x-md5']).toBeUndefined();
    expect(img.downloads[0]).toMatchObject({ outcome: 'status', status: 503 });
  });

  it('stall sends headers and `after` bytes, then nothing until the client gives up', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE, failure: { kind: 'stall', after: 100 } });
    const stalled = emu.waitForEvent('otaResult');
    const r = await get(emu, img.url, 100); // the client stops waiting once the 100 bytes are in
    expect(r.status).toBe(200);
    expect(r.body.equals(IMAGE.subarray(0, 100))).toBe(true);
    expect((await stalled).record).toMatchObject({ outcome: 'stalled', bytesSent: 100 });
  });

  it('failures can be changed on a hosted image', async () => {
    const emu = await emulator();
    const img = await emu.hostOta({ data: IMAGE, failure: { kind: 'status' } });
    expect((await get(emu, img.url)).status).toBe(500);
    emu.setOtaFailure(img.id, undefined);
    expect((await get(emu, img.url)).body.equals(IMAGE)).toBe(true);
  });
});

describe('C-OTA downlink/ota/json', () => {
  it('pushOta hosts the image and sends {url,size,type,ver,build} without a subscription', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = nextMessage(c, 'downlink/ota/json');
    const { json, image } = await emu.pushOta(TOKEN, { image: { data: IMAGE }, type: 'TMPL1', ver: '1.3.0', build: 'Nov 26 2026 12:00:00' });
    const msg = await got;
    expect(msg.packet.qos).toBe(0);
    expect(msg.payload.toString()).toBe(json);
    expect(JSON.parse(json)).toEqual({ url: image!.url, size: IMAGE.length, type: 'TMPL1', ver: '1.3.0', build: 'Nov 26 2026 12:00:00' });
    const r = await get(emu, image!.url);
    expect(r.headers['x-fw-ver']).toBe('1.3.0');
    expect(r.body.equals(IMAGE)).toBe(true);
  });

  it('sends a given URL and size as is (only url and size when nothing else is known)', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = nextMessage(c, 'downlink/ota/json');
    await emu.pushOta(TOKEN, { url: 'http://127.0.0.1:1/fw.bin', size: 354448 });
    expect(JSON.parse((await got).payload.toString())).toEqual({ url: 'http://127.0.0.1:1/fw.bin', size: 354448 });
  });
});

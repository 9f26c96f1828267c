// C-PROVISION in the Moddable simulator: examples/provision built with mcconfig, started with
// empty flash, in config mode serving the endpoints on the host's sockets (the SDK's http
// Server); configured over HTTP like the Blynk app does, it joins (the SDK's simulated Wi-Fi),
// comes online at the emulator with info/mcu, and downlink/reconfigure brings it back to config
// mode. Runs only when MODDABLE is set (one SKIP line otherwise).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator';
import { buildTarget, ROOT } from '../../tools/xs/build';
import { TOKEN } from '../support/tokens';
import { buildForSimulator, describeSimulator, sdkTools, Simulator } from './support/simulator';

const DEADLINE = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describeSimulator('examples/provision in the Moddable simulator', () => {
  let emu: Emulator;
  let work: string;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    emu = await startEmulator({ tokens: [TOKEN] });
    work = mkdtempSync(path.join(tmpdir(), 'blynk-moddable-provision-'));
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    await emu?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('config mode on the host sockets, configured, online, reconfigured', async () => {
    const tools = sdkTools(process.env.MODDABLE!);
    const dist = path.join(work, 'dist');
    await buildTarget({ name: 'blynk-moddable', entry: 'build/entries/moddable.ts' }, dist);
    const prefs = path.join(work, 'prefs');
    const app = path.join(work, 'provision');
    mkdirSync(prefs);
    mkdirSync(app);
    writeFileSync(path.join(app, 'manifest.json'), JSON.stringify({
      include: [path.join(ROOT, 'examples/provision/manifest.json')],
      platforms: { lin: { config: { file: { root: `${prefs}/` } } } },
    }));
    const port = await freePort();
    const mcSo = await buildForSimulator(tools, {
      appDir: app, outDir: work, logFile: path.join(work, 'build.log'), env: { BLYNK_DIST: dist },
      config: { template: 'TMPLsim00001', name: 'Simulated', version: '0.9.0', port: String(port) },
    });
    sim = Simulator.start(tools, mcSo, path.join(work, 'sim.log'));
    await sim.waitForLine(new RegExp(`^\\[provision\\] config mode on port ${port}`), 'config mode', DEADLINE);
    const base = `http://127.0.0.1:${port}`;

    const info = (await (await fetch(`${base}/board_info.json`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ board: 'Simulated', tmpl_id: 'TMPLsim00001', fw_ver: '0.9.0', last_error: 0, wifi_scan: true });
    expect(String(info.ssid)).toMatch(/^Blynk Simulated-\w{4}$/);
    // The simulator's Wi-Fi reports its canned list once its scan (1.5 s) is done.
    let nets: { ssid: string; sec: string }[] = [];
    const end = Date.now() + 20_000;
    const statuses: number[] = [];
    while (nets.length === 0 && Date.now() < end) {
      // 503 + Retry-After while the first scan is still running (the SDK's server answers synchronously).
      const res = await fetch(`${base}/wifi_scan.json`);
      statuses.push(res.status);
      const body = (await res.json()) as unknown;
      if (res.status === 200 && Array.isArray(body)) nets = body as { ssid: string; sec: string }[];
      if (nets.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(nets.length).toBeGreaterThan(0);
    expect(nets[0]).toMatchObject({ sec: 'WPA2' });
    const page = await fetch(`${base}/`);
    expect(await page.text()).toContain('name="blynk"');

    const bad = await fetch(`${base}/config?ssid=Home&blynk=short`);
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { msg: string }).msg).toContain('32 characters');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);

    const q = new URLSearchParams({ ssid: nets[0]!.ssid, pass: 'whatever1', blynk: TOKEN, host: emu.uri('mqtt') });
    const ok = await fetch(`${base}/config?${q}`);
    expect(await ok.json()).toEqual({ status: 'ok', msg: 'Trying to connect...' });
    await sim.waitForLine(/^\[provision\] online at mqtt:\/\/127\.0\.0\.1:\d+$/, 'online', DEADLINE);
    await emu.waitUntil(() => emu.device(TOKEN).infoMcu?.json?.tmpl === 'TMPLsim00001', DEADLINE);
    expect(sim.trace).toContain('[provision] connecting -> running (online)');

    await emu.reconfigure(TOKEN);
    await sim.waitForLine(/^\[provision\] running -> config-mode \(downlink\/reconfigure\)$/, 'back in config mode', DEADLINE);
    const again = (await (await fetch(`${base}/board_info.json`)).json()) as Record<string, unknown>;
    expect(again.last_error).toBe(0);
    expect(sim.lines.join('\n')).not.toContain(TOKEN);
  }, 300_000);
});

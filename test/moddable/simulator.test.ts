// The thermostat app (examples/thermostat, on the library manifest) built with mcconfig and run in the
// Moddable Linux simulator against the local emulator, over mqtt and over mqtts: the first boot
// goes online on "global", is redirected to "fra1" and keeps that in flash (the simulator's
// Preference file); the second boot of the same firmware connects straight to fra1. Runs only
// when MODDABLE is set (one SKIP line otherwise). Logs stay in a temp directory whose path is
// printed at the end; the runtime bundle is built from the current sources into a temp dir too
// (or BLYNK_DIST=<dir> tests the blynk-moddable.mjs in <dir>, e.g. build/dist after `npm run build`).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestPki } from '../../tools/certs';
import { describeEvent, startEmulator, type ConnectionRecord, type EmulatorEvent, type Emulator } from '../../tools/emulator';
import { scanTags } from '../../tools/tag/parse';
import { buildTarget, ROOT } from '../../tools/xs/build';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';
import { buildForSimulator, describeSimulator, sdkTools, Simulator, type Instruments, type SdkTools } from './support/simulator';

const TEMPLATE = 'TMPLthermo01';
const VERSION = '1.2.3';
const BOOT_DEADLINE = 120_000; // a TLS handshake in the simulator's XS takes a few seconds; never the thing under test
// The cloud's values for the app's datastreams: what the device's sync on connect gets back.
const CLOUD_VALUES = { Power: 1, 'Set Temperature': 24 };
// The suite-wide token check (test/support/secrets-guard.ts installs it for every test file).
const checkForTokens = (globalThis as { __checkForTokens?: (where: string, text: string) => void }).__checkForTokens ?? (() => {});
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describeSimulator('the thermostat app in the Moddable simulator', () => {
  let tools: SdkTools;
  let emu: Emulator;
  let work: string; // removed at the end: builds
  let logs: string; // kept: build logs, traces, instrumentation
  let appDir: string;
  let esp32LikeDir: string;
  let prefsDir: string;
  let bundleDir: string;
  const sims: Simulator[] = [];
  const measured: Record<string, Instruments> = {};

  beforeAll(async () => {
    tools = sdkTools(process.env.MODDABLE!);
    const pki = await makeTestPki();
    emu = await startEmulator({
      devices: { [TOKEN]: { datastreams: CLOUD_VALUES } },
      regions: { global: { mqtt: 0, mqtts: 0 }, fra1: { mqtt: 0, mqtts: 0 } },
      redirect: { from: 'global', to: 'fra1' },
      pki,
    });
    work = mkdtempSync(path.join(tmpdir(), 'blynk-moddable-build-'));
    logs = mkdtempSync(path.join(tmpdir(), 'blynk-moddable-sim-'));
    // What the cloud saw, next to the device's traces (tokens masked).
    emu.on('event', (ev: EmulatorEvent) => appendFileSync(path.join(logs, 'emulator.log'), `${describeEvent(ev)}\n`));
    prefsDir = path.join(work, 'prefs');
    bundleDir = path.join(work, 'dist');
    mkdirSync(prefsDir);
    appDir = makeApp('thermostat', pki.caDer, {});
    // As on the ESP32: the bundle preloaded and the heaps fixed at the app manifest's creation sizes.
    esp32LikeDir = makeApp('thermostat-esp32-memory', pki.caDer, { preload: ['blynk'], creation: { chunk: { incremental: 0 }, heap: { incremental: 0 } } });
    // The runtime bundle (manifest.json reads it from $(BLYNK_DIST)): built from the current
    // sources, unless BLYNK_DIST names a directory with a blynk-moddable.mjs to test instead.
    if (process.env.BLYNK_DIST) bundleDir = process.env.BLYNK_DIST;
    else await buildTarget({ name: 'blynk-moddable', entry: 'build/entries/moddable.ts' }, bundleDir);
  }, 120_000);

  // A failed test leaves its simulator running: stop it before the next one starts (two devices
  // with one token would take turns throwing each other off the emulator).
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.stop();
  }, 60_000);

  afterAll(async () => {
    await emu?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (logs) {
      writeFileSync(path.join(logs, 'instruments.json'), JSON.stringify(measured, null, 2));
      // Peaks include garbage not yet collected; the lowest reading after boot approaches the live set.
      const low = (m: Instruments, k: string): string => {
        const after = m.samples.slice(2).map((x) => x[k] ?? 0).filter((v) => v > 0);
        return after.length > 0 ? String(Math.min(...after)) : 'n/a';
      };
      const rows = Object.entries(measured).map(([run, m]) =>
        `  ${run}: chunk peak ${m.peak['Chunk used']} (low ${low(m, 'Chunk used')}) of ${m.last['Chunk available']} B, slots peak ${m.peak['Slot used']} (low ${low(m, 'Slot used')}) of ${m.last['Slot available']} B, stack peak ${m.peak['Stack used']} of ${m.last['Stack available']} B, ${m.collections} GCs in ${m.samples.length} s`);
      process.stderr.write(`simulator logs: ${logs}\n${rows.join('\n')}\n`);
    }
  }, 60_000);

  /**
   * An app directory whose manifest is the thermostat's as it is, plus the emulator's CA as a data
   * file, a Preference directory of its own (the simulator's default, /tmp/modpreferences.json, is
   * shared) and `lin` additions. mcconfig names the app after the directory.
   */
  function makeApp(name: string, caDer: Uint8Array, lin: Record<string, unknown>): string {
    const dir = path.join(work, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'emulator-ca.der'), caDer);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      include: [path.join(ROOT, 'examples/thermostat/manifest.json')],
      data: { '*': ['./emulator-ca'] },
      platforms: { lin: { config: { file: { root: `${prefsDir}/` } }, ...lin } },
    }, null, 2));
    return dir;
  }

  async function build(dir: string, label: string, scheme: 'mqtt' | 'mqtts', extra: Record<string, string> = {}): Promise<string> {
    const logFile = path.join(logs, `build-${label}.log`);
    const mcSo = await buildForSimulator(tools, {
      appDir: dir,
      outDir: work,
      logFile,
      env: { BLYNK_DIST: bundleDir },
      config: {
        token: TOKEN,
        template: TEMPLATE,
        version: VERSION,
        server: emu.uri(scheme, 'global'),
        period: '1',
        ...(scheme === 'mqtts' ? { ca: 'emulator-ca.der' } : {}),
        ...extra,
      },
    });
    expect(readFileSync(logFile, 'utf8')).not.toContain(TOKEN); // the log is kept
    return mcSo;
  }

  function start(label: string, mcSo: string): Simulator {
    const sim = Simulator.start(tools, mcSo, path.join(logs, `${label}.log`));
    sims.push(sim);
    return sim;
  }

  /** Stops the simulator and checks what it printed: no token, no XS abort; keeps its numbers. */
  async function finish(label: string, sim: Simulator): Promise<void> {
    await sim.stop();
    writeFileSync(path.join(logs, `${label}.trace.txt`), `${sim.trace.join('\n')}\n`);
    const text = sim.lines.join('\n');
    checkForTokens(`simulator trace ${label}`, text);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/XS abort|memory full|stack overflow/);
    expect(sim.trace.filter((l) => l.startsWith('[blynk error]'))).toEqual([]);
    measured[label] = sim.instruments();
  }

  /** C-CONN-5: each connection ended (device side) before the next one's CONNECT. */
  const oneAtATime = (conns: ConnectionRecord[]): boolean =>
    conns.every((c, i) => i === 0 || (conns[i - 1]!.endedAt !== undefined && c.connectAt !== undefined && conns[i - 1]!.endedAt! <= c.connectAt));

  /** This run's connections: the ones after `from`. */
  const since = (from: number): ConnectionRecord[] => emu.connections(TOKEN).slice(from);
  const uplinks = (topic: string, conns: ConnectionRecord[]): string[] =>
    emu.uplinks(TOKEN, topic).filter((u) => conns.some((c) => c.id === u.connId)).map((u) => u.payload.toString('utf8'));
  /** Waits for `topic` with `value` on one of `conns`; a timeout lists what did arrive. */
  async function uplink(topic: string, value: string, conns: ConnectionRecord[]): Promise<void> {
    try {
      await waitFor(() => uplinks(topic, conns).includes(value), `${topic} ${value}`, BOOT_DEADLINE);
    } catch (e) {
      const seen = emu.uplinks(TOKEN).filter((u) => conns.some((c) => c.id === u.connId)).map((u) => `${u.topic}=${u.payload.toString('utf8')}`);
      const closes = emu.connections(TOKEN).filter((c) => c.reason).slice(-5).map((c) => `#${c.id} ${c.region} ${c.reason} ${c.detail ?? ''}`);
      throw new Error(`${(e as Error).message}; uplinks seen: ${seen.slice(-30).join(' | ')}; last closes: ${closes.join(' | ')}`);
    }
  }

  /**
   * A new device's first boot: online on global, redirected to fra1 (stored), the sync brings the
   * cloud's values, the app's writes are followed. Returns the simulator, still running.
   */
  async function firstBoot(label: string, scheme: 'mqtt' | 'mqtts', mcSo: string): Promise<Simulator> {
    const fra1 = emu.uri(scheme, 'fra1');
    rmSync(path.join(prefsDir, 'modpreferences.json'), { force: true }); // a new device: nothing stored
    emu.device(TOKEN).seed({ datastreams: CLOUD_VALUES }); // undo what an earlier run's app changed
    const from = emu.connections(TOKEN).length;
    const sim = start(label, mcSo);

    await sim.waitForLine(new RegExp(`^\\[thermostat\\] online at ${escape(fra1)}$`), `online at ${fra1}`, BOOT_DEADLINE);
    const conns = since(from);
    expect(conns.map((c) => [c.region, c.scheme, c.username, c.keepalive, c.returnCode])).toEqual([
      ['global', scheme, 'device', 45, 0],
      ['fra1', scheme, 'device', 45, 0],
    ]);
    // Left global for the redirect before connecting to fra1 (one connection at a time). The
    // DISCONNECT is sent, but a downlink still unread when the socket closes makes the kernel
    // reset the connection, and the emulator may then see a reset instead (client-closed).
    expect(['client-disconnect', 'client-closed']).toContain(conns[0]!.reason);
    expect(oneAtATime(since(from))).toBe(true);
    expect(sim.trace).toContainEqual(expect.stringMatching(/^\[thermostat\] moving to .*\(remembered for the next boot\)$/));

    // info/mcu: the firmware's own values, build time frozen at link time, equal to the one info
    // tag in the binary (C-OTA-3). On fra1 for sure; the one sent on global may be lost when the
    // device resets that connection (see above).
    await waitFor(() => uplinks('info/mcu', [conns[1]!]).length === 1, 'info/mcu on fra1', BOOT_DEADLINE);
    const { tags, problems } = scanTags(readFileSync(mcSo));
    expect({ tags: tags.length, problems }).toEqual({ tags: 1, problems: [] });
    for (const raw of uplinks('info/mcu', conns)) {
      const info = JSON.parse(raw) as Record<string, unknown>;
      expect(info).toMatchObject({ tmpl: TEMPLATE, ver: VERSION, type: TEMPLATE, rxbuff: 1024 });
      expect(info.build).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d$/);
      expect({ mcu: info.ver, 'fw-type': info.type, build: info.build }).toEqual(tags[0]!.values);
    }

    // The sync on connect brings the cloud's Power = 1 and Set Temperature = 24: heating starts
    // (on global or on fra1, whichever connection the replies arrive on).
    await sim.waitForLine(/^\[thermostat\] power on$/, 'power on (from the sync)', BOOT_DEADLINE);
    await sim.waitForLine(/^\[thermostat\] setpoint 24 °C$/, 'setpoint 24 (from the sync)', BOOT_DEADLINE);
    await sim.waitForLine(/^\[thermostat\] heating on at [\d.]+ °C \(setpoint \d+ °C\)$/, 'heating on', BOOT_DEADLINE);
    await uplink('ds/Heating', '1', [conns[1]!]);
    await waitFor(() => uplinks('ds/Temperature', [conns[1]!]).length >= 2, 'two temperature readings on fra1', BOOT_DEADLINE);
    expect(uplinks('ds/Temperature', [conns[1]!]).every((t) => /^\d+(\.\d)?$/.test(t))).toBe(true);

    // A setpoint from the app out of range: clamped, and the value used is written back.
    await emu.writeDatastream(TOKEN, 'Set Temperature', 40);
    await sim.waitForLine(/^\[thermostat\] setpoint 35 °C$/, 'setpoint 35', BOOT_DEADLINE);
    await uplink('ds/Set Temperature', '35', [conns[1]!]); // written back: the value in use
    // Power off from the app: the heater stops at once.
    await emu.writeDatastream(TOKEN, 'Power', 0);
    await uplink('ds/Heating', '0', [conns[1]!]);
    // A console ping (QoS 1) is acknowledged.
    await expect(emu.ping(TOKEN, BOOT_DEADLINE)).resolves.toMatchObject({ messageId: expect.any(Number) });
    expect(oneAtATime(since(from))).toBe(true);
    return sim;
  }

  describe.each(['mqtt', 'mqtts'] as const)('%s', (scheme) => {
    let mcSo: string | undefined;
    let firstBootDone = false;
    let fra1 = '';

    test('first boot: online on global, redirected to fra1 and remembered; the thermostat follows the app', async () => {
      fra1 = emu.uri(scheme, 'fra1');
      mcSo = await build(appDir, scheme, scheme);
      const sim = await firstBoot(`${scheme}-boot1`, scheme, mcSo);
      await finish(`${scheme}-boot1`, sim);
      await waitFor(() => !emu.isConnected(TOKEN), 'the emulator to see the simulator go', BOOT_DEADLINE);
      // The redirect is in the simulator's flash (its Preference file): two record slots, domain "blynk".
      const prefs = JSON.parse(readFileSync(path.join(prefsDir, 'modpreferences.json'), 'utf8')) as Record<string, Record<string, unknown>>;
      expect(Object.keys(prefs.blynk ?? {})).toContain('blynk.ep.a');
      firstBootDone = true;
    }, 300_000);

    test('second boot: straight to fra1, the stored endpoint', async () => {
      if (!mcSo || !firstBootDone) throw new Error('needs a passing first boot (same firmware, same flash)');
      const from = emu.connections(TOKEN).length;
      const sim = start(`${scheme}-boot2`, mcSo);
      await sim.waitForLine(new RegExp(`^\\[thermostat\\] online at ${escape(fra1)}$`), `online at ${fra1}`, BOOT_DEADLINE);
      expect(sim.trace).toContain(`[thermostat] using ${fra1}, kept from an earlier redirect`);
      const conns = since(from);
      expect(conns.map((c) => [c.region, c.scheme, c.returnCode])).toEqual([['fra1', scheme, 0]]);
      await waitFor(() => uplinks('info/mcu', conns).length === 1, 'info/mcu', BOOT_DEADLINE);
      await finish(`${scheme}-boot2`, sim);
      expect(since(from).every((c) => c.region === 'fra1')).toBe(true);
    }, 300_000);
  });

  // The public roots in certs/ load (Resource + ssl/cert) and do not vouch for the emulator's
  // certificate: the handshake is refused, and the device keeps retrying.
  test('without ca=: the public roots are used, and the emulator\'s test certificate is refused', async () => {
    const mcSo = await build(appDir, 'roots', 'mqtts', { ca: '' });
    rmSync(path.join(prefsDir, 'modpreferences.json'), { force: true });
    const sim = start('roots-mqtts', mcSo);
    await sim.waitForLine(/^\[thermostat\] .*CAs isrg-root-x1\.der amazon-root-ca-1\.der digicert-global-root-g2\.der/, 'the settings line', BOOT_DEADLINE);
    const refused = await sim.waitForLine(/^\[thermostat\] TLS_FAILED: /, 'the TLS failure', BOOT_DEADLINE, /XS abort|not found/);
    expect(refused).toMatch(/TLS handshake failed/);
    expect(sim.trace.filter((l) => /not found|cannot register/.test(l))).toEqual([]);
    expect(emu.isConnected(TOKEN)).toBe(false);
    await sim.stop();
    writeFileSync(path.join(logs, 'roots-mqtts.trace.txt'), `${sim.trace.join('\n')}\n`);
    expect(sim.lines.join('\n')).not.toContain(TOKEN);
  }, 300_000);

  // The app manifest's creation sizes are for the ESP32, where the bundle is preloaded into flash.
  // The same in the simulator (64-bit: a slot is 32 bytes there, 16 on the ESP32; the counts are
  // the same), over TLS, the heaviest case: it must run without growing a heap.
  test('ESP32 memory profile (bundle preloaded, fixed heaps): first boot over mqtts', async () => {
    const mcSo = await build(esp32LikeDir, 'esp32-memory', 'mqtts');
    const sim = await firstBoot('esp32-memory-mqtts', 'mqtts', mcSo);
    // Some steady state too: readings once a second, the samples come once a second.
    const seen = sim.sampleCount;
    await waitFor(() => sim.sampleCount >= seen + 5, 'five more instrumentation samples', BOOT_DEADLINE);
    await finish('esp32-memory-mqtts', sim);
    const m = measured['esp32-memory-mqtts']!;
    const creation = (JSON.parse(readFileSync(path.join(ROOT, 'examples/thermostat/manifest.json'), 'utf8')) as { creation: { chunk: { initial: number }; heap: { initial: number } } }).creation;
    expect([m.last['Chunk available'], m.last['Slot available']]).toEqual([creation.chunk.initial, creation.heap.initial * 32 - 32]);
  }, 300_000);
});

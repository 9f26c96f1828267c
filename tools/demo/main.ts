// `npm start`: the demo device against the built-in local emulator of Blynk.Cloud.
// It shows a whole session: connect, the redirect followed and stored in flash, info/mcu,
// values both ways, a console ping, a Blynk.Air update applied to a file and the reboot into it
// (which connects straight to the stored endpoint), then a summary.
//
//   npm start                       the demo, on the XS engine through the bridge, ends by itself
//   npm start -- --node             the same device on the Node HAL
//   npm start -- --forever          keep running until Ctrl-C
//   npm start -- --provision        Blynk.Inject: set up over HTTP in config mode (tools/demo/provision.ts)
//   npm start -- --token T --server mqtts://blynk.cloud:8883 [--template TMPL...]   the real cloud
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from '../emulator';
import { maskToken } from '../../src/index';
import { firmwareTag } from '../../src/blynk/firmware-tag';
import { scanTags } from '../tag/parse';
import { Narrator } from './narrator';
import { launchDevice, type DeviceRun } from './launch';

const { values: args } = parseArgs({
  options: {
    node: { type: 'boolean', default: false },
    forever: { type: 'boolean', default: false },
    token: { type: 'string' },
    server: { type: 'string' },
    template: { type: 'string', default: 'TMPLdemo0001' },
    help: { type: 'boolean', default: false },
    provision: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url)).toString().split('\n').slice(0, 11).join('\n') + '\n');
  process.exit(0);
}

const say = new Narrator();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const engine = args.node ? 'node' : 'xs';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`the demo expected ${what} within ${ms / 1000} s`);
    await pause(20);
  }
}

async function realCloud(): Promise<void> {
  const server = args.server ?? 'mqtts://blynk.cloud:8883';
  say.line('demo', `talking to ${server} as ${maskToken(args.token!)} (Ctrl-C to stop)`);
  const flash = mkdtempSync(join(tmpdir(), 'blynk-demo-flash-'));
  const run = await launchDevice(engine, { token: args.token!, templateId: args.template!, version: '1.0.0', server, reportEverySec: 10 }, { storageDir: flash }, say);
  process.on('SIGINT', () => {
    void run.stop().then(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

async function localDemo(): Promise<void> {
  const token = `demo${randomBytes(14).toString('hex')}`;
  say.line('demo', `starting the local Blynk.Cloud emulator (regions global and fra1; redirect global → fra1)`);
  const emu: Emulator = await startEmulator({
    tokens: [token],
    regions: { global: { mqtts: true }, fra1: { mqtts: true } },
    redirect: { from: 'global', to: 'fra1' },
  });
  say.watch(emu);
  const flash = mkdtempSync(join(tmpdir(), 'blynk-demo-flash-'));
  const otaPath = join(flash, 'firmware.bin');
  const base = { token, templateId: args.template!, server: emu.uri('mqtts', 'global'), reportEverySec: 1, device: { backoff: { baseMs: 200, capMs: 2000 } } };
  const hal = { storageDir: flash, otaPath, ca: emu.ca.pem };
  say.line('demo', `device engine: ${engine === 'xs' ? 'XS (the firmware engine), through the bridge to Node sockets' : 'Node'}; flash in ${flash}`);

  // The firmware running now, "built" when the demo started; its build time is in info/mcu.
  const running = firmwareTag({ version: '1.0.0', type: args.template! });
  let run: DeviceRun = await launchDevice(engine, { ...base, version: running.version, build: running.build }, hal, say);
  const stats = { firstBootConnections: 0, secondBootConnections: 0 };
  try {
    await until(() => emu.isConnected(token) && emu.currentConnection(token)?.region === 'fra1', 15_000, 'the device online at fra1');
    stats.firstBootConnections = emu.connections(token).length;
    await until(() => emu.device(token).infoMcu !== undefined, 5_000, 'info/mcu');
    await pause(1500);
    say.line('demo', 'the user switches the heater on and sets 23 °C in the app');
    await emu.writeDatastream(token, 'Power', 1);
    await emu.writeDatastream(token, 'Set Temperature', 23);
    await pause(2500);
    say.line('demo', 'the console pings the device');
    await emu.ping(token);
    await pause(500);

    // The update: a new build carrying its Blynk info tag, as a Moddable image built with the
    // library's manifest does; the emulator reads the tag for the offer's type, ver and build.
    await pause(1000); // a later second: a different build time
    const next = firmwareTag({ version: '1.1.0', type: args.template! });
    const image = Buffer.concat([randomBytes(60_000), Buffer.from(next.tag), randomBytes(4_000)]);
    const tag = scanTags(image).tags[0]!;
    say.line('demo', `Blynk.Air ships firmware 1.1.0 (${image.length} bytes, sha256 ${createHash('sha256').update(image).digest('hex').slice(0, 16)}…)`);
    say.line('demo', `its info tag at byte ${tag.offset}: ${tag.entries.map(([k, v]) => `${k} "${v}"`).join(', ')}`);
    const before = emu.connections(token).length;
    // Over HTTPS: while MQTT runs on TLS the runtime refuses a plain-http image (C-OTA-2).
    const { json } = await emu.pushOta(token, { image: { data: image, https: true } });
    say.line('cloud', `→ downlink/ota/json ${json.replace(/\?token=[^"]+/, '?token=…')} (type, ver, build read from the tag)`);
    await until(() => run.reboots > 0, 20_000, 'the update and the reboot');
    await run.stop();
    const written = readFileSync(otaPath);
    say.line('demo', `the "OTA partition" (${otaPath}) holds ${written.length} bytes, ${written.equals(image) ? 'identical to the shipped image' : 'DIFFERENT from the image'}`);
    say.line('demo', 'rebooting into 1.1.0 (same flash: the stored endpoint is used)');
    run = await launchDevice(engine, { ...base, version: next.version, build: next.build }, hal, say);
    await until(() => emu.isConnected(token) && emu.device(token).infoMcu?.json?.ver === '1.1.0', 15_000, 'the new firmware online');
    const info = emu.device(token).infoMcu!.json!;
    const agrees = info.ver === tag.values.mcu && info.type === tag.values['fw-type'] && info.build === tag.values.build;
    say.line('demo', `info/mcu of the new firmware ${agrees ? 'matches its tag (ver, type, build)' : 'DOES NOT match its tag'}`);
    stats.secondBootConnections = emu.connections(token).length - before - 0;
    await pause(1500);

    if (args.forever) {
      say.line('demo', 'running until Ctrl-C (the emulator CLI commands are in tools/emulator/cli.ts)');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }

    const c = await run.counters();
    const dev = emu.device(token);
    say.line('summary', `engine ${engine}; token ${maskToken(token)}; template ${args.template}`);
    say.line('summary', `first boot: ${stats.firstBootConnections} connections (global, then the redirect to fra1)`);
    say.line('summary', `after the update: ${emu.connections(token).slice(before).filter((x) => x.connectAt !== undefined).map((x) => x.region).join(', ')} — straight to the stored endpoint`);
    say.line('summary', `stored endpoint: ${(await run.storedEndpoint()) ?? 'none'}`);
    say.line('summary', `info/mcu now: ${dev.infoMcu?.raw ?? '-'}`);
    say.line('summary', `cloud values: Temperature ${dev.datastreams.get('Temperature') ?? '-'}, Power ${dev.datastreams.get('Power') ?? '-'}, Set Temperature ${dev.datastreams.get('Set Temperature') ?? '-'}`);
    say.line('summary', `this boot: ${c.messagesOut} messages out, ${c.messagesIn} in, ${c.pingsSent} keepalive pings; pings acked by the device in all: ${emu.pingsAcked(token)}; never two connections at once: ${emu.maxConcurrent(token) === 1}`);
  } finally {
    await run.stop();
    await emu.close();
    rmSync(flash, { recursive: true, force: true });
  }
}

(args.provision ? import('./provision').then((m) => m.provisionDemo(say, args.template!)) : args.token ? realCloud() : localDemo()).catch((e) => {
  say.line('demo', `failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

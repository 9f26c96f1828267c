// npm run bench:online: boot-to-online time and round trips through a proxy that adds a fixed
// delay in each direction, TCP handshake included (tools/proxy.ts: the client's first bytes
// reach the server 3 one-way delays after it connected), for a first boot (the cloud redirects
// the device: two connections) and a second boot (the redirect was stored in flash: one
// connection). Several rounds; medians. Measured from device.start() to 'online' at the final
// endpoint. Left out: DNS (the endpoints are 127.0.0.1), a delayed connect event on the client
// side and delayed closes (see tools/proxy.ts), packet loss, TCP slow start and the TLS work a
// real device does (certificate checks on an ESP32 take far longer than here).
//
//   npm run bench:online -- [--delay 25] [--rounds 5] [--scheme mqtts|mqtt] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createNodeHal } from '../../hal/node';
import { BlynkDevice } from '../../src/index';
import { startEmulator, type Emulator } from '../emulator';
import { TcpProxy } from '../proxy';
import { median } from './stats';

const { values: a } = parseArgs({
  options: {
    delay: { type: 'string', default: '25' },
    rounds: { type: 'string', default: '5' },
    scheme: { type: 'string', default: 'mqtts' },
    json: { type: 'boolean', default: false },
  },
});
const DELAY = Number(a.delay);
const ROUNDS = Number(a.rounds);
const SCHEME = a.scheme === 'mqtt' ? 'mqtt' : 'mqtts';
const RTT = 2 * DELAY;
const TOKEN = 'benchOnline0123456789abcdefABCD';

interface Boot {
  ms: number;
  connections: number;
}

async function boot(emu: Emulator, flash: string, server: string, proxies: TcpProxy[], finalPort: number): Promise<Boot> {
  const before = proxies.reduce((n, p) => n + p.stats.connections, 0);
  const hal = createNodeHal({ storageDir: flash, ca: emu.ca.pem, log: () => undefined });
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPLbench', server, rate: false });
  const t0 = performance.now();
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the device did not come online in 30 s')), 30_000);
    device.on('online', () => {
      // Online at the endpoint it stays on (after a redirect, the second CONNACK).
      if (device.endpoint?.endsWith(`:${finalPort}`)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    device.start();
  });
  device.stop();
  await new Promise((r) => setTimeout(r, 50));
  hal.dispose();
  await emu.waitUntil(() => !emu.isConnected(TOKEN));
  return { ms, connections: proxies.reduce((n, p) => n + p.stats.connections, 0) - before };
}

async function main(): Promise<void> {
  const emu = await startEmulator({ tokens: [TOKEN], regions: { global: { [SCHEME]: true }, fra1: { [SCHEME]: true } } });
  const global = await TcpProxy.start({ targetPort: emu.endpoint(SCHEME, 'global').port, delayMs: DELAY });
  const fra1 = await TcpProxy.start({ targetPort: emu.endpoint(SCHEME, 'fra1').port, delayMs: DELAY });
  // Like the cloud's GeoDNS redirect: right after CONNACK on the global endpoint, send the device to fra1 (through its proxy).
  emu.on('event', (e: { type: string; region?: string; token?: string }) => {
    if (e.type === 'connect' && e.region === 'global') void emu.redirect(TOKEN, `${SCHEME}://127.0.0.1:${fra1.port}`);
  });
  const first: Boot[] = [];
  const second: Boot[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const flash = mkdtempSync(join(tmpdir(), 'bench-online-'));
      try {
        first.push(await boot(emu, flash, `${SCHEME}://127.0.0.1:${global.port}`, [global, fra1], fra1.port));
        second.push(await boot(emu, flash, `${SCHEME}://127.0.0.1:${global.port}`, [global, fra1], fra1.port));
      } finally {
        rmSync(flash, { recursive: true, force: true });
      }
    }
  } finally {
    await global.close();
    await fra1.close();
    await emu.close();
  }
  const f = median(first.map((b) => b.ms));
  const s = median(second.map((b) => b.ms));
  const result = {
    scheme: SCHEME,
    delay_ms_each_way: DELAY,
    rounds: ROUNDS,
    first_boot_ms_median: Math.round(f),
    second_boot_ms_median: Math.round(s),
    first_boot_round_trips: Math.round((f / RTT) * 10) / 10,
    second_boot_round_trips: Math.round((s / RTT) * 10) / 10,
    first_boot_connections: median(first.map((b) => b.connections)),
    second_boot_connections: median(second.map((b) => b.connections)),
    ratio_first_to_second: Math.round((f / s) * 100) / 100,
  };
  const lines = [
    `boot to online through a proxy adding ${DELAY} ms each way (RTT ${RTT} ms) to every packet and to the TCP handshake, ${SCHEME}, ${ROUNDS} rounds, medians`,
    `  first boot  (redirect followed): ${result.first_boot_ms_median} ms = ${result.first_boot_round_trips} round trips, ${result.first_boot_connections} connections`,
    `  second boot (stored endpoint):   ${result.second_boot_ms_median} ms = ${result.second_boot_round_trips} round trips, ${result.second_boot_connections} connection${result.second_boot_connections === 1 ? '' : 's'}`,
    `  first / second: ${result.ratio_first_to_second}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (a.json) process.stdout.write(JSON.stringify(result) + '\n');
  if (result.second_boot_connections !== 1) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench:online failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

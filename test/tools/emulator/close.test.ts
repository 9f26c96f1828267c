// Emulator: close() releases every listener, socket and timer, whatever state things are in.
import { jest } from '@jest/globals';
import http from 'node:http';
import type { MqttClient } from 'mqtt';
import { connectAsync } from 'mqtt';
import { startEmulator } from '../../../tools/emulator';
import { TOKEN, TOKEN2, deviceOptions, sharedPki } from './helpers';

jest.setTimeout(30_000);

function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Types that grew compared with `base`, as "Type:+n". */
function growth(base: Map<string, number>): string[] {
  return [...resources()].filter(([k, n]) => n > (base.get(k) ?? 0)).map(([k, n]) => `${k}:+${n - (base.get(k) ?? 0)}`);
}

/** Handles close asynchronously after close() resolves; poll (bounded) until they are back to the baseline. */
async function settled(base: Map<string, number>): Promise<string[]> {
  const deadline = Date.now() + 5000;
  while (growth(base).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return growth(base);
}

it('close() leaves no open handles (busy emulator: all transports, stalls, pending ping, OTA, paused listener)', async () => {
  const pki = await sharedPki();
  await new Promise((r) => setImmediate(r));
  const base = resources();
  const emu = await startEmulator({ tokens: [TOKEN, TOKEN2], pki, regions: { global: {}, fra1: {} }, redirect: { from: 'global', to: 'fra1' } });
  const clients: MqttClient[] = [];
  for (const scheme of ['mqtt', 'mqtts', 'ws', 'wss'] as const) {
    clients.push(await connectAsync(emu.uri(scheme, 'fra1'), deviceOptions(emu, scheme === 'wss' ? TOKEN2 : TOKEN, { keepalive: 0 })));
  }
  const last = clients.at(-1)!;
  await last.subscribeAsync('downlink/#');
  emu.stall(TOKEN2);
  const ping = emu.ping(TOKEN2).catch((e: Error) => e);
  const waiting = emu.waitForEvent('connect').catch((e: Error) => e);
  const img = await emu.hostOta({ data: 'x'.repeat(1000), failure: { kind: 'stall', after: 10 } });
  const stalledGet = new Promise<void>((resolve) => {
    const u = new URL(img.url);
    http.get({ host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}`, agent: false }, (res) => {
      res.once('data', () => resolve());
      res.on('error', () => undefined);
      res.on('aborted', () => undefined);
    }).on('error', () => undefined);
  });
  await stalledGet;
  await emu.pauseListener('global', { mode: 'blackhole' });

  await emu.close();
  await emu.close(); // idempotent
  expect(await ping).toBeInstanceOf(Error);
  expect(String(await waiting)).toMatch(/emulator closed/);
  expect(emu.connections().every((r) => r.reason !== undefined)).toBe(true);
  await Promise.all(clients.map((c) => c.endAsync(true)));
  expect(await settled(base)).toEqual([]);
});

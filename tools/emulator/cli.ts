// Command line front end of the emulator: `npx tsx tools/emulator/cli.ts --help`.
// Thin: parses flags into EmulatorOptions, prints URIs and activity, runs stdin commands.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator';
import { runCommand } from './cli-commands';
import { describeEvent, maskToken } from './format';
import { SCHEMES, type EmulatorOptions, type RegionSpec, type Scheme } from './types';

const USAGE = `Local Blynk.Cloud emulator (MQTT over TCP, TLS, WS, WSS on 127.0.0.1)

Usage: npx tsx tools/emulator/cli.ts [options]
  --token <token>            accept this device token (repeatable)
  --token-file <path>        accept the tokens in this file (one per line)
                             (no token given: one is generated and written to <ca-dir>/token.txt)
  --listen <region>:<scheme>=<port>[,<scheme>=<port>...]
                             listeners (repeatable; port 0 = any free port). Default: region
                             "global" with mqtt, mqtts, ws and wss on free ports
  --redirect <from>:<to>     right after connect, redirect devices on region <from> to the
                             listener of the same scheme in region <to> (created if not listed)
  --redirect-host <host>     127.0.0.1 (default) or localhost in redirect URIs
  --redirect-disconnect      close the connection after sending the redirect
  --max-packet <bytes>       uplink size limit (variable header + payload), default 1024
  --allow-unsubscribed       deliver downlinks even without a matching subscription
  --tz <name>,<rule>,<offsetMin>[,<dstMin>]   timezone for get/utc/all/json (default UTC)
  --location <lat>,<lon>     answer to get/loc/all
  --ca-dir <dir>             where ca.pem / ca.der are written (default: a new temp dir,
                             removed on exit)
  --verbose                  also log every accepted socket
  --help

Then type commands on stdin ("help" lists them).`;

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

function parseListen(specs: string[]): Record<string, RegionSpec> {
  const regions: Record<string, RegionSpec> = {};
  for (const spec of specs) {
    const [region, ports] = spec.split(':', 2);
    if (!region || !ports) fail(`--listen ${spec}: expected <region>:<scheme>=<port>,...`);
    const r = (regions[region] ??= {});
    for (const part of ports.split(',')) {
      const [scheme, port = '0'] = part.split('=');
      if (!SCHEMES.includes(scheme as Scheme) || !/^\d+$/.test(port)) fail(`--listen ${spec}: bad "${part}"`);
      r[scheme as Scheme] = Number(port);
    }
  }
  return regions;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      token: { type: 'string', multiple: true, default: [] },
      'token-file': { type: 'string' },
      listen: { type: 'string', multiple: true, default: [] },
      redirect: { type: 'string' },
      'redirect-host': { type: 'string' },
      'redirect-disconnect': { type: 'boolean' },
      'max-packet': { type: 'string' },
      'allow-unsubscribed': { type: 'boolean' },
      tz: { type: 'string' },
      location: { type: 'string' },
      'ca-dir': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const caDir = v['ca-dir'] ?? (await mkdtemp(join(tmpdir(), 'blynk-emulator-')));
  await mkdir(caDir, { recursive: true });
  const tokens = [...v.token];
  if (v['token-file']) tokens.push(...(await readFile(v['token-file'], 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean));
  let generated: string | undefined;
  if (tokens.length === 0) {
    generated = randomBytes(16).toString('hex');
    tokens.push(generated);
    await writeFile(join(caDir, 'token.txt'), `${generated}\n`, { mode: 0o600 });
  }

  const opts: EmulatorOptions = { tokens };
  opts.regions = v.listen.length > 0 ? parseListen(v.listen) : { global: {} };
  if (v.redirect) {
    const [from, to] = v.redirect.split(':');
    if (!from || !to) fail('--redirect expects <from>:<to>');
    opts.regions[from] ??= {};
    opts.regions[to] ??= {};
    const host = v['redirect-host'];
    if (host !== undefined && host !== 'localhost' && host !== '127.0.0.1') fail('--redirect-host is 127.0.0.1 or localhost');
    opts.redirect = { from, to, disconnect: v['redirect-disconnect'] ?? false, ...(host ? { host } : {}) };
  }
  if (v['max-packet']) opts.maxPacketSize = Number(v['max-packet']);
  if (v['allow-unsubscribed']) opts.requireSubscription = false;
  if (v.tz) {
    const [name = 'UTC', rule = 'UTC0', offset = '0', dst = '0'] = v.tz.split(',');
    opts.timezone = { name, rule, offset: Number(offset), dstOffset: Number(dst) };
  }
  if (v.location) {
    const [lat, lon] = v.location.split(',').map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) fail('--location expects <lat>,<lon>');
    opts.location = { lat: lat as number, lon: lon as number };
  }

  const emu = await startEmulator(opts);
  await writeFile(join(caDir, 'ca.pem'), emu.ca.pem);
  await writeFile(join(caDir, 'ca.der'), emu.ca.der);

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('Blynk.Cloud emulator ready; listeners:');
  for (const l of emu.endpoints()) out(`  ${l.region.padEnd(8)} ${l.scheme.padEnd(5)} ${l.uri}${l.scheme === 'mqtts' || l.scheme === 'wss' ? `  (or ${l.localhostUri})` : ''}`);
  out(`CA certificate: ${join(caDir, 'ca.pem')} (DER: ${join(caDir, 'ca.der')})`);
  out(`Tokens: ${tokens.map(maskToken).join(', ')}${generated ? ` (generated, full value in ${join(caDir, 'token.txt')})` : ''}`);
  out('Type "help" for commands.');
  emu.on('event', (ev) => {
    if (ev.type !== 'accept' || v.verbose) out(describeEvent(ev));
  });

  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    await emu.close();
    if (!v['ca-dir']) await rm(caDir, { recursive: true, force: true });
    out('emulator stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('close', () => void stop());
  for await (const line of rl) {
    const cmd = line.trim();
    if (cmd === 'quit' || cmd === 'exit') break;
    try {
      const text = await runCommand(emu, cmd);
      if (text) out(text);
    } catch (e) {
      out(`error: ${(e as Error).message}`);
    }
  }
  await stop();
}

main().catch((e: Error) => fail(e.message));

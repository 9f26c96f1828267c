// The CLI's stdin commands, kept apart from process handling so they can be tested.
// Output never contains a full token (masked to the last 4 characters).
import type { Emulator } from './emulator';
import type { OtaFailure } from './ota-server';
import { maskToken } from './format';
import { SCHEMES, type PauseMode, type Scheme } from './types';

export const COMMAND_HELP = `Commands ([dev] = token suffix, at least 4 characters; optional when one device is connected):
  devices                              known tokens (masked) and their connections
  ds [dev] <name> <value...>           push downlink/ds/<name> (also sets the cloud value);
                                       quote a name with spaces: ds "Set Temperature" 40
  meta [dev] <name> <value...>         set metadata and push downlink/meta/<name> (quotes as for ds)
  ota [dev] <file> [type=..] [ver=..] [build=..] [https] [fail=<kind>[:<n>]]
                                       host <file> and push downlink/ota/json; type, ver and build
                                       come from the file's Blynk info tag (none without a tag, as
                                       on Blynk.Cloud) unless given; kinds: wrong-md5,
                                       wrong-sha256, wrong-digests, no-digests, truncate:<bytes>,
                                       status:<code>, stall:<bytes>
  diag [dev] <text...>                 push downlink/diag
  reboot [dev] | reconfigure [dev]     push downlink/reboot | downlink/reconfigure
  ping [dev]                           downlink/ping at QoS 1, wait for the PUBACK
  redirect [dev] <uri>                 push downlink/redirect
  raw [dev] <topic> <qos> [payload...] publish anything (no size check)
  kick [dev] | stall [dev] | unstall [dev]
  pause <region>[:<scheme>] [refuse|reset|blackhole]   simulate an outage
  resume <region>[:<scheme>]
  token add <token>                    accept another token
  help | quit`;

const FAILURES = ['wrong-md5', 'wrong-sha256', 'wrong-digests', 'no-digests', 'truncate', 'status', 'stall'];

function parseFailure(spec: string): OtaFailure {
  const [kind = '', n] = spec.split(':');
  const num = n === undefined ? undefined : Number(n);
  if (!FAILURES.includes(kind) || (num !== undefined && !Number.isInteger(num))) throw new Error(`unknown failure "${spec}"`);
  if (kind === 'truncate') return num === undefined ? { kind } : { kind, at: num };
  if (kind === 'status') return num === undefined ? { kind } : { kind, status: num };
  if (kind === 'stall') return num === undefined ? { kind } : { kind, after: num };
  return { kind } as OtaFailure;
}

/** Split on spaces, keeping "double quoted" parts together. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

function region(spec: string | undefined): { region: string; scheme?: Scheme } {
  if (!spec) throw new Error('region required');
  const [r = '', s] = spec.split(':');
  if (s !== undefined && !SCHEMES.includes(s as Scheme)) throw new Error(`unknown scheme "${s}"`);
  return s === undefined ? { region: r } : { region: r, scheme: s as Scheme };
}

/** Take a leading device reference from `args` if it names exactly one known token. */
function target(emu: Emulator, args: string[]): string {
  const first = args[0];
  if (first !== undefined && first.length >= 4) {
    const hits = emu.tokens().filter((t) => t.endsWith(first));
    if (hits.length === 1) {
      args.shift();
      return hits[0]!;
    }
  }
  const live = emu.connectedTokens();
  if (live.length === 1) return live[0]!;
  throw new Error(live.length === 0 ? 'no device connected' : `several devices connected (${live.map(maskToken).join(', ')}): name one by its token suffix`);
}

/** Run one command line; returns text to print. Throws with a readable message on bad input. */
export async function runCommand(emu: Emulator, line: string): Promise<string> {
  const args = splitArgs(line.trim());
  const cmd = args.shift()?.toLowerCase();
  switch (cmd) {
    case undefined:
      return '';
    case 'help':
      return COMMAND_HELP;
    case 'devices': {
      const rows = emu.tokens().map((t) => {
        const c = emu.currentConnection(t);
        return `  ${maskToken(t)}  ${c ? `connected #${c.id} via ${c.region} ${c.scheme}` : 'offline'}  connections ${emu.connections(t).length}, max concurrent ${emu.maxConcurrent(t)}, auth failures ${emu.authFailures(t)}`;
      });
      return rows.join('\n') || '  (no tokens)';
    }
    case 'ds':
    case 'meta': {
      const t = target(emu, args);
      const [name, ...rest] = args;
      if (!name) throw new Error(`usage: ${cmd} [dev] <name> <value...>`);
      const value = rest.join(' ');
      const r = cmd === 'ds' ? await emu.writeDatastream(t, name, value) : await emu.setMeta(t, name, value, true);
      return r?.delivered === false ? `not delivered: ${maskToken(t)} has no matching subscription` : 'sent';
    }
    case 'ota': {
      const t = target(emu, args);
      const [file, ...opts] = args;
      if (!file) throw new Error('usage: ota [dev] <file> [type=..] [ver=..] [build=..] [https] [fail=<kind>[:<n>]]');
      const kv = Object.fromEntries(opts.map((o) => [o.split('=')[0], o.includes('=') ? o.slice(o.indexOf('=') + 1) : 'yes']));
      const { json, image } = await emu.pushOta(t, {
        image: { file, https: kv.https === 'yes', ...(kv.fail ? { failure: parseFailure(kv.fail) } : {}) },
        ...(kv.type ? { type: kv.type } : {}),
        ...(kv.ver ? { ver: kv.ver } : {}),
        ...(kv.build ? { build: kv.build } : {}),
      });
      const tag = image?.tag ? `tag: mcu ${image.tag.ver}, fw-type ${image.tag.type}, build ${image.tag.build}` : `untagged (${image?.tagProblems.join('; ') || 'no image'}): the offer has no type, ver or build unless given`;
      return `sent downlink/ota/json ${json}\n${tag}`;
    }
    case 'diag': {
      const t = target(emu, args);
      await emu.diag(t, args.join(' '));
      return 'sent';
    }
    case 'reboot':
    case 'reconfigure': {
      const t = target(emu, args);
      const r = cmd === 'reboot' ? await emu.reboot(t) : await emu.reconfigure(t);
      return r.delivered ? 'sent' : `not delivered: ${maskToken(t)} has no matching subscription`;
    }
    case 'ping': {
      const r = await emu.ping(target(emu, args));
      return `PUBACK for id ${r.messageId} after ${r.rttMs} ms`;
    }
    case 'redirect': {
      const t = target(emu, args);
      if (!args[0]) throw new Error('usage: redirect [dev] <uri>');
      await emu.redirect(t, args[0]);
      return 'sent';
    }
    case 'raw': {
      const t = target(emu, args);
      const [topic, qos = '0', ...rest] = args;
      if (!topic || (qos !== '0' && qos !== '1')) throw new Error('usage: raw [dev] <topic> <0|1> [payload...]');
      const r = await emu.publish(t, topic, rest.join(' '), { qos: Number(qos) as 0 | 1, force: true });
      return r.messageId !== undefined ? `PUBACK for id ${r.messageId}` : 'sent';
    }
    case 'kick':
      return emu.kick(target(emu, args)) ? 'closed' : 'not connected';
    case 'stall':
      emu.stall(target(emu, args));
      return 'stalled';
    case 'unstall':
      emu.unstall(target(emu, args));
      return 'resumed';
    case 'pause': {
      const where = region(args[0]);
      const mode = (args[1] ?? 'refuse') as PauseMode;
      if (!['refuse', 'reset', 'blackhole'].includes(mode)) throw new Error(`unknown mode "${mode}"`);
      await emu.pauseListener(where.region, { ...(where.scheme ? { scheme: where.scheme } : {}), mode });
      return 'paused';
    }
    case 'resume': {
      const where = region(args[0]);
      await emu.resumeListener(where.region, where.scheme);
      return 'resumed';
    }
    case 'token': {
      if (args[0] !== 'add' || !args[1]) throw new Error('usage: token add <token>');
      emu.addToken(args[1]);
      return `accepting ${maskToken(args[1])}`;
    }
    default:
      throw new Error(`unknown command "${cmd}" (try help)`);
  }
}

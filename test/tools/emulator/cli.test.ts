// Emulator CLI: stdin commands (in process) and one end-to-end run of the real process.
import { jest } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { runCommand, splitArgs } from '../../../tools/emulator/cli-commands';
import { TOKEN, TOKEN2, cleanup, device, emulator, nextMessage, within } from './helpers';

jest.setTimeout(30_000);
afterEach(cleanup);

describe('CLI commands', () => {
  it('splits arguments, keeping quoted parts', () => {
    expect(splitArgs('ds WXYZ "Set Temperature" 23.5')).toEqual(['ds', 'WXYZ', 'Set Temperature', '23.5']);
  });

  it('ds/diag/ping/raw/kick address the single connected device, or one named by token suffix', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    let got = nextMessage(c, 'downlink/ds/Set Temperature');
    expect(await runCommand(emu, 'ds "Set Temperature" 23.5')).toBe('sent');
    expect((await got).payload.toString()).toBe('23.5');
    got = nextMessage(c, 'downlink/diag');
    expect(await runCommand(emu, 'diag WXYZ hello there')).toBe('sent');
    expect((await got).payload.toString()).toBe('hello there');
    expect(await runCommand(emu, 'ping')).toMatch(/^PUBACK for id \d+ after \d+ ms$/);
    expect(await runCommand(emu, 'raw WXYZ downlink/x 1 payload')).toMatch(/^PUBACK for id \d+$/);
    await device(emu, emu.uri(), TOKEN2);
    await expect(runCommand(emu, 'reboot')).rejects.toThrow(/several devices connected \(\*\*\*\*WXYZ, \*\*\*\*QRST\)/);
    expect(await runCommand(emu, 'kick QRST')).toBe('closed');
    expect(await runCommand(emu, 'devices')).toContain('****WXYZ  connected #1 via global mqtt');
  });

  it('ota hosts a file with a failure mode; pause/resume and token add work; output masks tokens', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    try {
      await writeFile(join(dir, 'fw.bin'), 'firmware');
      const got = nextMessage(c, 'downlink/ota/json');
      expect(await runCommand(emu, `ota ${join(dir, 'fw.bin')} ver=2.0 fail=truncate:3`)).toMatch(/^sent downlink\/ota\/json \{"url":"http:/);
      expect(JSON.parse((await got).payload.toString())).toMatchObject({ size: 8, ver: '2.0' });
      expect(emu.otaImages()[0]!.failure).toEqual({ kind: 'truncate', at: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await runCommand(emu, 'pause global:mqtt reset')).toBe('paused');
    expect(emu.endpoint('mqtt').paused).toBe('reset');
    expect(await runCommand(emu, 'resume global')).toBe('resumed');
    expect(await runCommand(emu, 'token add newToken-9876')).toBe('accepting ****9876');
    await expect(runCommand(emu, 'ota WXYZ f fail=bogus')).rejects.toThrow(/unknown failure/);
    await expect(runCommand(emu, 'frobnicate')).rejects.toThrow(/unknown command/);
  });
});

/** Lines of a child's stdout, with a bounded wait for the next line matching `re`. */
function lines(child: ChildProcessWithoutNullStreams) {
  const all: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      all.push(l);
      for (const w of [...waiters]) if (w.re.test(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  return {
    all,
    next(re: RegExp): Promise<string> {
      const seen = all.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return within(new Promise<string>((resolve) => waiters.push({ re, resolve })), `CLI output ${re}; got:\n${all.join('\n')}`, 20_000);
    },
  };
}

describe('CLI process', () => {
  it('prints URIs and the CA path, logs masked activity, runs stdin commands, quits cleanly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/emulator/cli.ts', '--token', TOKEN, '--listen', 'global:mqtt=0,mqtts=0'], { cwd: process.cwd() });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const out = lines(child);
    try {
      const mqtts = (await out.next(/^\s+global\s+mqtts\s+mqtts:\/\//)).trim().split(/\s+/)[2]!;
      const caPath = (await out.next(/^CA certificate: /)).replace(/^CA certificate: (\S+).*$/, '$1');
      await out.next(/Type "help"/);
      const ca = await readFile(caPath, 'utf8');
      const c = await connectAsync(mqtts, { username: 'device', password: TOKEN, ca, reconnectPeriod: 0 });
      try {
        await c.subscribeAsync('downlink/#');
        await out.next(/\*\*\*\*WXYZ subscribe downlink\/# qos 0 -> granted/);
        const got = nextMessage(c, 'downlink/ds/Power');
        child.stdin.write('ds WXYZ Power 1\n');
        expect((await got).payload.toString()).toBe('1');
        c.publish('ds/Temp', '21.5');
        await out.next(/↑ ds\/Temp = 21\.5/);
      } finally {
        await c.endAsync(true);
      }
      child.stdin.write('quit\n');
      expect(await within(exited, 'CLI exit', 20_000)).toBe(0);
      expect(out.all.join('\n')).not.toContain(TOKEN);
      expect(out.all.join('\n')).toContain('connected (clientId');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

// A real broker for interop tests: Debian's mosquitto, started per test file on free loopback
// ports with TCP, TLS and WebSocket listeners, Blynk-like credentials and ACL. Facts it relies
// on (Debian's build): `user root`; WebSocket listeners need `socket_domain ipv4`; at least one
// TCP listener; a bad password gets CONNACK 5, not 4.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { makeTestPki, type TestPki } from '../../tools/certs';

export const MOSQUITTO_HOST = '127.0.0.1';
export const DEFAULT_TOKEN = 'testToken_0123456789abcdefABCDEF';

export interface MosquittoOptions {
  /** The device's auth token (user `device`). */
  token?: string;
  /** Password of the `tester` user (full access). */
  testerPassword?: string;
  /** Reuse TLS material (a fresh test PKI otherwise). */
  pki?: TestPki;
  /** More mosquitto.conf lines for the global section, e.g. `max_packet_size 2048`. */
  extraConfig?: string[];
  /** Echo the broker's log to stderr. */
  verbose?: boolean;
}

export interface Mosquitto {
  readonly host: string;
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly wsPort: number;
  /** The CA that signed the broker's certificate (for localhost and 127.0.0.1). */
  readonly caPem: string;
  readonly token: string;
  readonly tester: { readonly username: 'tester'; readonly password: string };
  /** What the broker logged so far (this run and earlier ones). */
  log(): string;
  /** SIGTERM, wait for exit, delete the work directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), wait for exit; the work directory stays for restart(). */
  kill(): Promise<void>;
  /** Start again on the same ports (stopping a running broker first). */
  restart(): Promise<void>;
}

// ---- finding the binaries ----

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SBIN].filter((d) => d !== '');
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

let binaries: { mosquitto: string; passwd: string } | null | undefined;

/** MOSQUITTO_BIN overrides where the broker is (a missing path makes it "not installed"). */
function findBinaries(): { mosquitto: string; passwd: string } | null {
  if (binaries !== undefined) return binaries;
  const override = process.env.MOSQUITTO_BIN;
  const mosquitto = override !== undefined ? (fs.existsSync(override) ? override : undefined) : findExecutable('mosquitto');
  const passwd = findExecutable('mosquitto_passwd');
  binaries = mosquitto && passwd ? { mosquitto, passwd } : null;
  return binaries;
}

export function mosquittoAvailable(): boolean {
  return findBinaries() !== null;
}

export const SKIP_NOTICE = 'SKIP mosquitto interop: mosquitto not installed (apt-get install mosquitto)';

/**
 * `describe` when mosquitto is installed, else `describe.skip` after ONE line saying why.
 * Use: `describeMosquitto('interop with mosquitto', () => { ... })`.
 */
export const describeMosquitto: jest.Describe | undefined =
  typeof describe !== 'function'
    ? undefined
    : mosquittoAvailable()
      ? describe
      : (process.stderr.write(`${SKIP_NOTICE}\n`), describe.skip);

// ---- configuration ----

const ACL = `# device (Blynk-style): uplink topics only, and its downlink
user device
topic write ds/#
topic write get/#
topic write event/#
topic write info/#
topic write batch_ds
topic write meta/#
topic read downlink/#

# the test side: everything
user tester
topic readwrite #
`;

function config(dir: string, ports: Ports, extra: readonly string[]): string {
  const lines = [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${join(dir, 'passwd')}`,
    `acl_file ${join(dir, 'acl')}`,
    'persistence false',
    // As root mosquitto would drop to user "mosquitto", which cannot read our 0600 files.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    ...extra,
    '',
    `listener ${ports.tcp} ${MOSQUITTO_HOST}`,
    '',
    `listener ${ports.tls} ${MOSQUITTO_HOST}`,
    `certfile ${join(dir, 'server.crt')}`,
    `keyfile ${join(dir, 'server.key')}`,
    `cafile ${join(dir, 'ca.crt')}`,
    'tls_version tlsv1.2',
    '',
    `listener ${ports.ws} ${MOSQUITTO_HOST}`,
    'protocol websockets',
    // Without it the bundled libwebsockets binds *:port, every interface.
    'socket_domain ipv4',
    '',
  ];
  return lines.join('\n');
}

interface Ports {
  tcp: number;
  tls: number;
  ws: number;
}

/** Three distinct free loopback ports: bound together on port 0, then released. */
async function freePorts(): Promise<Ports> {
  const servers = [net.createServer(), net.createServer(), net.createServer()];
  const ports = await Promise.all(
    servers.map(
      (s) =>
        new Promise<number>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, MOSQUITTO_HOST, () => resolve((s.address() as net.AddressInfo).port));
        }),
    ),
  );
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return { tcp: ports[0]!, tls: ports[1]!, ws: ports[2]! };
}

// ---- processes ----

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A test file that forgets stop() must not leave brokers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

const MAX_LOG = 256 * 1024;
const START_TIMEOUT_MS = 10_000;

class Broker implements Mosquitto {
  readonly host = MOSQUITTO_HOST;
  readonly tester: { readonly username: 'tester'; readonly password: string };
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private text = '';
  private removed = false;

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private ports: Ports,
    readonly caPem: string,
    readonly token: string,
    testerPassword: string,
    private readonly extra: readonly string[],
    private readonly verbose: boolean,
  ) {
    this.tester = { username: 'tester', password: testerPassword };
  }

  get tcpPort(): number {
    return this.ports.tcp;
  }
  get tlsPort(): number {
    return this.ports.tls;
  }
  get wsPort(): number {
    return this.ports.ws;
  }

  log(): string {
    return this.text;
  }

  /** Start on new free ports, retrying when another process grabbed one meanwhile. */
  async startFresh(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnOnce();
        return;
      } catch (error) {
        if (!(error instanceof StartFailure && error.portInUse) || attempt >= 5) throw error;
        this.ports = await freePorts();
      }
    }
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    if (!this.removed) {
      this.removed = true;
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  async restart(): Promise<void> {
    if (this.removed) throw new Error('mosquitto harness: restart() after stop()');
    await this.terminate('SIGTERM');
    // Same ports: if one was taken meanwhile (rare), wait for it to be released.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnOnce();
        return;
      } catch (error) {
        if (!(error instanceof StartFailure && error.portInUse) || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private append(chunk: Buffer): void {
    const s = chunk.toString('utf8');
    if (this.verbose) process.stderr.write(s);
    this.text = (this.text + s).slice(-MAX_LOG);
  }

  private async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const done = this.exited;
    child.kill(signal);
    // A broker that ignores SIGTERM must not hang the suite.
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(force);
  }

  private spawnOnce(): Promise<void> {
    const confPath = join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(confPath, config(this.dir, this.ports, this.extra));
    const runStart = this.text.length;
    const child = spawn(this.bin, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    installExitHook();
    let resolveExit!: () => void;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        const log = this.text.slice(runStart);
        reject(new StartFailure(`mosquitto did not start (${why}):\n${log}`, /Address already in use/i.test(log)));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`no "running" line within ${START_TIMEOUT_MS} ms`);
      }, START_TIMEOUT_MS);
      const onOutput = (chunk: Buffer): void => {
        this.append(chunk);
        // Printed after every listener is bound.
        if (!started && / running\b/.test(this.text.slice(runStart))) {
          started = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
      child.once('error', (error) => {
        live.delete(child);
        resolveExit();
        if (!started) fail(String(error));
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolveExit();
        if (!started) fail(`exited with ${signal ?? `code ${code}`}`);
      });
    });
  }
}

/** Start a broker for one test file. Call stop() in afterAll. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const bins = findBinaries();
  if (!bins) throw new Error(SKIP_NOTICE);
  const token = opts.token ?? DEFAULT_TOKEN;
  const testerPassword = opts.testerPassword ?? 'tester-password';
  const pki = opts.pki ?? (await makeTestPki());
  const dir = fs.mkdtempSync(join(tmpdir(), 'mosquitto-test-'));
  try {
    const write = (name: string, data: string): void => fs.writeFileSync(join(dir, name), data, { mode: 0o600 });
    write('ca.crt', pki.caPem);
    write('server.crt', pki.certPem);
    write('server.key', pki.keyPem);
    write('acl', ACL);
    const passwd = join(dir, 'passwd');
    execFileSync(bins.passwd, ['-c', '-b', passwd, 'device', token], { stdio: 'pipe', timeout: 30_000 });
    execFileSync(bins.passwd, ['-b', passwd, 'tester', testerPassword], { stdio: 'pipe', timeout: 30_000 });
    fs.chmodSync(passwd, 0o600);
    const broker = new Broker(
      bins.mosquitto,
      dir,
      await freePorts(),
      pki.caPem,
      token,
      testerPassword,
      opts.extraConfig ?? [],
      opts.verbose ?? false,
    );
    await broker.startFresh();
    return broker;
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

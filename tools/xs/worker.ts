// A driver for @agoric/xsnap's `xsnap-worker` binary, without the package's JS API (which needs
// SES lockdown in this process). The worker reads netstring commands on fd 3 and answers on fd 4:
//   parent -> XS   e<script>  evaluate        m<path>  import a module file    ?<bytes>  globalThis.handleCommand(bytes)
//                  R ready    q quit          /<bytes> the answer to an issueCommand from XS
//   XS -> parent   .<meter JSON>\x01<bytes>  done      !<text>  exception (empty for m/s: the text is on stderr)
//                  ?<bytes>  XS called issueCommand(bytes) and blocks until the parent answers with /
// One command runs at a time (a "crank"); XS drains promise jobs and setImmediate before it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encodeNetstring, NetstringReader } from './netstring';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN_DIR = path.join(ROOT, 'node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin');

/** xsnap-worker's exit codes (from @agoric/xsnap's api.js). */
const EXIT_MEANING: Record<number, string> = {
  1: 'bad argument usage',
  2: 'I/O error',
  11: 'not enough memory',
  12: 'stack overflow',
  15: 'unhandled exception',
  16: 'property (key) name space exhausted',
  17: 'too much computation',
};

export interface MeterUsage {
  /** Metering units the crank used. */
  compute: number;
  /** Bytes XS has taken from the system so far (chunks and slot heaps; grows, never shrinks). */
  allocate: number;
  /** Live slots at the end of the crank (exact right after a gc()). */
  currentHeapCount: number;
}

export interface XsReply {
  bytes: Uint8Array;
  meter: MeterUsage;
}

/** Answers XS's issueCommand(bytes). May be async: XS stays blocked until it settles. */
export type CommandHandler = (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface XsWorkerOptions {
  /** The debug build (assertions, better messages); the release build is ~2x faster. */
  debug?: boolean;
  /** Compute units allowed per crank; the worker dies with exit code 17 beyond it. */
  meteringLimit?: number;
  onCommand?: CommandHandler;
  /** Each line XS prints (print, trace). Default: kept, see output(). */
  onPrint?: (line: string) => void;
  name?: string;
}

export type XsErrorKind = 'exception' | 'exit' | 'protocol' | 'closed';

export class XsError extends Error {
  override name = 'XsError';
  constructor(
    readonly kind: XsErrorKind,
    message: string,
    readonly exitCode?: number | null,
  ) {
    super(message);
  }
}

export function workerBinary(debug = false): string {
  const bin = path.join(BIN_DIR, debug ? 'debug' : 'release', 'xsnap-worker');
  if (!existsSync(bin)) throw new Error(`xsnap-worker not built: ${bin} (run: cd node_modules/@agoric/xsnap && npm run build:from-env)`);
  return bin;
}

const OK = 0x2e; // '.'
const ERROR = 0x21; // '!'
const QUERY = 0x3f; // '?'
const STDERR_KEPT = 16 * 1024;

export class XsWorker {
  readonly name: string;
  /** The meter of the last crank that completed. */
  lastMeter: MeterUsage = { compute: 0, allocate: 0, currentHeapCount: 0 };
  onCommand: CommandHandler | undefined;

  private readonly proc: ChildProcess;
  private readonly toXs: Writable;
  private readonly inbox: Buffer[] = [];
  private waiter: ((m: Buffer | XsError) => void) | undefined;
  private baton: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private stdoutTail = '';
  private readonly printed: string[] = [];
  private readonly onPrint: ((line: string) => void) | undefined;
  private dead: XsError | undefined;
  private readonly exited: Promise<number | null>;
  /** An exception left xsnap-worker's error flag set: `m`/`s` commands and the exit code would report it. */
  private sticky = false;
  private cranking = false;

  private constructor(options: XsWorkerOptions) {
    this.name = options.name ?? 'xsnap';
    this.onCommand = options.onCommand;
    this.onPrint = options.onPrint;
    const args = [this.name];
    if (options.meteringLimit) args.push('-l', String(options.meteringLimit));
    this.proc = spawn(workerBinary(options.debug), args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'ignore', 'ignore', 'ignore', 'ignore'],
    });
    const stdio = this.proc.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toXs = stdio[3];
    this.toXs.on('error', () => undefined); // EPIPE after a crash: reported through 'exit'
    const reader = new NetstringReader((m) => this.deliver(m));
    stdio[4].on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        this.die(new XsError('protocol', `${this.name}: ${String(e)}`));
      }
    });
    stdio[1].setEncoding('utf8');
    stdio[1].on('data', (text: string) => this.stdout(text));
    stdio[2].setEncoding('utf8');
    stdio[2].on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEPT);
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        const why = signal ? `signal ${signal}` : `exit code ${code}${code && EXIT_MEANING[code] ? ` (${EXIT_MEANING[code]})` : ''}`;
        this.die(new XsError(this.dead?.kind === 'closed' ? 'closed' : 'exit', `${this.name} exited: ${why}${this.stderrNote()}`, code));
        resolve(code);
      });
      this.proc.on('error', (e) => {
        this.die(new XsError('exit', `${this.name} could not start: ${e.message}`));
        resolve(null);
      });
    });
  }

  /** Spawn a worker and wait until it answers. */
  static async start(options: XsWorkerOptions = {}): Promise<XsWorker> {
    const w = new XsWorker(options);
    await w.run(Buffer.from('R'));
    return w;
  }

  /** Evaluate a script (sloppy eval). The reply has bytes only if the result is an ArrayBuffer. */
  evaluate(code: string): Promise<XsReply> {
    return this.run(Buffer.from(`e${code}`, 'utf8'), 'evaluate');
  }

  /**
   * Import an ES module file (and its relative imports) by absolute path. Done with a dynamic
   * import() inside an evaluate, not xsnap's `m` command: `m` drops an exception thrown while the
   * module evaluates (it is only a rejected promise) and reports success.
   */
  async importModule(file: string): Promise<XsReply> {
    const spec = JSON.stringify(path.resolve(file));
    const script = `(() => {
      const box = { result: undefined };
      const say = (s) => { box.result = new TextEncoder().encode(s).buffer; };
      import(${spec}).then(() => say('ok'), (e) => say('!' + String(e) + (e && e.stack ? '\\n' + e.stack : '')));
      return box;
    })()`;
    const reply = await this.evaluate(script);
    const text = Buffer.from(reply.bytes).toString('utf8');
    if (text === 'ok') return reply;
    if (text.startsWith('!')) throw new XsError('exception', `${this.name}: import ${file} failed: ${text.slice(1)}`);
    throw new XsError('exception', `${this.name}: import ${file} did not settle within the crank (top-level await on something that never came?)`);
  }

  /** Call globalThis.handleCommand(bytes) inside XS; its ArrayBuffer result is the reply. */
  command(bytes: Uint8Array): Promise<XsReply> {
    return this.run(Buffer.concat([Buffer.from('?'), bytes]));
  }

  /** True while a crank runs (XS is busy or blocked in issueCommand). */
  get busy(): boolean {
    return this.cranking;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** The process's exit code once it has exited (0 after a clean close), else null. */
  get exitCode(): number | null {
    return this.proc.exitCode;
  }

  /** What XS printed (lines), when no onPrint was given. */
  output(): string[] {
    return this.printed.slice();
  }

  stderrText(): string {
    return this.stderr;
  }

  /** Quit cleanly after pending commands; kills the worker if it does not exit promptly. */
  async close(): Promise<void> {
    if (this.dead) return;
    await this.baton.catch(() => undefined);
    if (this.dead) return;
    await this.clearSticky().catch(() => undefined); // else the exit code is 15
    this.dead = new XsError('closed', `${this.name} is closed`);
    this.toXs.write(encodeNetstring(Buffer.from('q')));
    this.toXs.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  // ---- internals ----

  private async clearSticky(): Promise<void> {
    if (!this.sticky) return;
    await this.evaluate('0'); // a successful evaluate resets xsnap-worker's error flag
  }

  private run(message: Buffer, what = 'command'): Promise<XsReply> {
    const result = this.baton.then(() => this.crank(message, what));
    this.baton = result.catch(() => undefined);
    return result;
  }

  private async crank(message: Buffer, what: string): Promise<XsReply> {
    if (this.dead) throw this.dead;
    this.cranking = true;
    try {
      this.toXs.write(encodeNetstring(message));
      for (;;) {
        const m = await this.next();
        const kind = m[0];
        if (kind === OK) {
          // Only `e` and `?` clear xsnap-worker's error flag (they start with error = 0).
          if (message[0] === 0x65 || message[0] === QUERY) this.sticky = false;
          return this.okay(m);
        }
        if (kind === ERROR) {
          this.sticky = true;
          const text = m.subarray(1).toString('utf8');
          await this.settleStderr();
          throw new XsError('exception', `${this.name}: ${what} failed: ${text || this.stderr.trim().split('\n').slice(-5).join('\n') || 'no message'}`);
        }
        if (kind === QUERY) {
          const answer = await this.answer(m.subarray(1));
          this.toXs.write(encodeNetstring(Buffer.from('/'), answer));
          continue;
        }
        const e = new XsError('protocol', `${this.name}: unexpected message ${JSON.stringify(m.subarray(0, 40).toString('latin1'))}`);
        this.die(e);
        this.kill();
        throw e;
      }
    } finally {
      this.cranking = false;
    }
  }

  private async answer(request: Uint8Array): Promise<Uint8Array> {
    const handler = this.onCommand;
    if (!handler) return new Uint8Array(0);
    try {
      return await handler(request);
    } catch (e) {
      // XS cannot receive an exception through issueCommand; the handler's owner should not throw.
      this.stderr += `\nparent command handler threw: ${String(e)}\n`;
      return new Uint8Array(0);
    }
  }

  private okay(m: Buffer): XsReply {
    const sep = m.indexOf(1, 1);
    if (sep >= 0) {
      const meter = JSON.parse(m.toString('utf8', 1, sep)) as MeterUsage;
      this.lastMeter = { compute: meter.compute, allocate: meter.allocate, currentHeapCount: meter.currentHeapCount };
    }
    return { bytes: new Uint8Array(m.subarray(sep < 0 ? 1 : sep + 1)), meter: this.lastMeter };
  }

  private next(): Promise<Buffer> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiter = (x) => (x instanceof XsError ? reject(x) : resolve(x));
    });
  }

  private deliver(m: Buffer): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(m);
    else this.inbox.push(m);
  }

  private die(e: XsError): void {
    if (!this.dead || this.dead.kind === 'closed') this.dead = e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(this.dead);
  }

  private stdout(text: string): void {
    const lines = (this.stdoutTail + text).split('\n');
    this.stdoutTail = lines.pop()!;
    for (const line of lines) {
      if (this.onPrint) this.onPrint(line);
      else if (this.printed.length < 10_000) this.printed.push(line);
    }
  }

  /** stderr arrives on its own pipe; give it a moment so an error message can include it. */
  private async settleStderr(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  private stderrNote(): string {
    const tail = this.stderr.trim().split('\n').slice(-5).join('\n');
    return tail ? `\n${tail}` : '';
  }
}

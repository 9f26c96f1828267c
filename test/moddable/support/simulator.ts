// Building a Moddable app for the Linux simulator and running it headless, for tests. Needs the
// SDK built per its Linux guide, with MODDABLE pointing at it; without MODDABLE the tests skip
// with one line. Builds use `-t build` (the default target would kill and launch processes by
// name) and `-o <dir>` (nothing is written into the SDK); at most 2 make jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { delimiter, join } from 'node:path';

export const SKIP_NOTICE = 'SKIP simulator: MODDABLE is not set (build the Moddable SDK per its Linux guide)';

/** `describe` when MODDABLE is set, else `describe.skip` after ONE line saying why. */
export const describeSimulator: jest.Describe =
  process.env.MODDABLE ? describe : (process.stderr.write(`${SKIP_NOTICE}\n`), describe.skip);

export interface SdkTools {
  moddable: string;
  mcsim: string;
  xvfbRun: string;
  env: NodeJS.ProcessEnv;
}

function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The SDK's tools, or an Error saying what is missing (MODDABLE is set, so that is a failure). */
export function sdkTools(moddable: string): SdkTools {
  const bin = join(moddable, 'build/bin/lin/release');
  const PATH = `${process.env.PATH ?? ''}${delimiter}${bin}`;
  const mcsim = join(bin, 'mcsim');
  for (const tool of ['mcconfig', 'xsc', 'xsl']) {
    if (!existsSync(join(bin, tool))) throw new Error(`MODDABLE=${moddable}: ${join(bin, tool)} is missing; build the SDK tools (cd $MODDABLE/build/makefiles/lin && make)`);
  }
  if (!existsSync(mcsim)) throw new Error(`${mcsim} is missing; build the SDK's simulator (cd $MODDABLE/build/makefiles/lin && make)`);
  const xvfbRun = which('xvfb-run', PATH);
  if (!xvfbRun) throw new Error('xvfb-run is missing (apt-get install xvfb xauth): the simulator needs a display');
  // MAKEFLAGS: mcconfig runs make; two jobs at most on a shared machine.
  return { moddable, mcsim, xvfbRun, env: { ...process.env, MODDABLE: moddable, PATH, MAKEFLAGS: '-j2' } };
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; log: WriteStream }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(opts.log, { end: false });
    child.stderr.pipe(opts.log, { end: false });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * `mcconfig -d -m -p lin -t build -o <outDir> key=value...` in `appDir`. Returns the mc.so path
 * (<outDir>/bin/lin/mc/debug/<app dir name>/mc.so). Build output is appended to `logFile`.
 */
export async function buildForSimulator(tools: SdkTools, o: { appDir: string; outDir: string; config: Record<string, string>; env?: NodeJS.ProcessEnv; logFile: string }): Promise<string> {
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const args = ['-d', '-m', '-p', 'lin', '-t', 'build', '-o', o.outDir, ...Object.entries(o.config).map(([k, v]) => `${k}=${v}`)];
  const code = await run(join(tools.moddable, 'build/bin/lin/release/mcconfig'), args, { cwd: o.appDir, env: { ...tools.env, ...o.env }, log });
  await new Promise((r) => log.end(r));
  if (code !== 0) throw new Error(`mcconfig failed (exit ${code}); see ${o.logFile}`);
  const name = o.appDir.split('/').filter(Boolean).pop()!;
  const mcSo = join(o.outDir, 'bin/lin/mc/debug', name, 'mc.so');
  if (!existsSync(mcSo)) throw new Error(`mcconfig succeeded but ${mcSo} is missing`);
  return mcSo;
}

export interface Instruments {
  /** Highest value seen per column ("Chunk used", "Slot used", "Stack used"...). */
  peak: Record<string, number>;
  /** The last sample. */
  last: Record<string, number>;
  /** Sum of the per-second "Garbage collections" column. */
  collections: number;
  /** Every sample, in order. */
  samples: Record<string, number>[];
}

/**
 * The simulator running one app, headless (xvfb-run), with stdout line-buffered (stdbuf -oL)
 * into `lines` and `logFile`. A `timeout` wraps it in case the test process dies first.
 */
export class Simulator {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private partial = '';

  private constructor(tools: SdkTools, mcSo: string, logFile: string) {
    const log = createWriteStream(logFile);
    this.child = spawn('timeout', ['600', tools.xvfbRun, '-a', 'stdbuf', '-oL', tools.mcsim, mcSo], {
      env: tools.env,
      detached: true, // its own process group: stop() ends xvfb-run, Xvfb and mcsim together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const take = (chunk: Buffer): void => {
      log.write(chunk);
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => this.child.on('close', () => {
      if (this.partial) this.lines.push(this.partial);
      log.end(() => resolve());
    }));
  }

  static start(tools: SdkTools, mcSo: string, logFile: string): Simulator {
    return new Simulator(tools, mcSo, logFile);
  }

  /** The app's output without the simulator's once-a-second instrumentation lines. */
  get trace(): string[] {
    return this.lines.filter((l) => !l.startsWith('instruments'));
  }

  /** How many instrumentation samples (one a second) were printed so far. */
  get sampleCount(): number {
    return this.lines.filter((l) => l.startsWith('instruments: ')).length;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Waits for a trace line matching `re` (generous deadline). Fails at once when the simulator
   * exits or prints a line matching `failOn` (the runtime's errors, an XS abort).
   */
  async waitForLine(re: RegExp, what: string, timeoutMs = 120_000, failOn = /^\[blynk error\]|XS abort/): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      const bad = this.lines.find((l) => failOn.test(l));
      if (bad !== undefined) throw new Error(`while waiting for ${what} the simulator printed: ${bad}`);
      if (!this.running) throw new Error(`the simulator exited before ${what}; last lines:\n${this.trace.slice(-15).join('\n')}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines:\n${this.trace.slice(-15).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the simulator's process group and waits for it. Idempotent. */
  async stop(): Promise<void> {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await this.exited;
  }

  /** The instrumentation a debug build prints every second ("instruments key:" names the columns). */
  instruments(): Instruments {
    const keyLine = this.lines.find((l) => l.startsWith('instruments key: '));
    const keys = keyLine ? keyLine.slice('instruments key: '.length).split(',') : [];
    const peak: Record<string, number> = {};
    let last: Record<string, number> = {};
    let collections = 0;
    const samples: Record<string, number>[] = [];
    for (const line of this.lines) {
      if (!line.startsWith('instruments: ')) continue;
      const values = line.slice('instruments: '.length).split(',').map(Number);
      const sample: Record<string, number> = {};
      keys.forEach((k, i) => (sample[k] = values[i] ?? 0));
      for (const [k, v] of Object.entries(sample)) peak[k] = Math.max(peak[k] ?? 0, v);
      collections += sample['Garbage collections'] ?? 0;
      last = sample;
      samples.push(sample);
    }
    return { peak, last, collections, samples };
  }
}

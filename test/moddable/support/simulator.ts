// Building a Moddable app for the Linux simulator and running it headless, for tests. Needs the
// SDK built per its Linux guide, with MODDABLE pointing at it; without MODDABLE the tests skip
// with one line. Builds use `-t build` (the default target would kill and launch processes by
// name) and `-o <dir>` (nothing is written into the SDK); at most 2 make jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export const SKIP_NOTICE = 'SKIP simulator: MODDABLE is not set (build the Moddable SDK per its Linux guide)';

/** `describe` when MODDABLE is set, else `describe.skip` after ONE line saying why. */
export const describeSimulator: jest.Describe =
  process.env.MODDABLE ? describe : (process.stderr.write(`${SKIP_NOTICE}\n`), describe.skip);

export { buildForSimulator, sdkTools, type SdkTools } from '../../../tools/moddable/sdk';
import type { SdkTools } from '../../../tools/moddable/sdk';

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

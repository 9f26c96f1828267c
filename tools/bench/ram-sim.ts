// Building a Moddable app for the Linux simulator and running it headless, for bench:ram. Builds
// use `-t build` (the default target kills and launches processes by name) and `-o <dir>`
// (nothing is written into the SDK), at most 2 make jobs. The simulator's debug build prints
// its instruments once a second ("instruments key: ..." names the columns).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export { sdkTools, type SdkTools } from '../moddable/sdk';
export { buildForSimulator as buildApp } from '../moddable/sdk';
import type { SdkTools } from '../moddable/sdk';

/** One simulator run: its lines, until `stop()`. */
export class Simulator {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private partial = '';

  constructor(tools: SdkTools, mcSo: string, logFile: string) {
    const log = createWriteStream(logFile);
    this.child = spawn('timeout', ['300', tools.xvfbRun, '-a', 'stdbuf', '-oL', tools.mcsim, mcSo], {
      env: tools.env,
      detached: true, // its own process group: stop() ends xvfb-run, Xvfb and mcsim together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const take = (chunk: Buffer): void => {
      log.write(chunk);
      const parts = (this.partial + chunk.toString('utf8')).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => this.child.on('close', () => log.end(() => resolve())));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(re: RegExp, what: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (this.lines.some((l) => re.test(l))) return;
      const bad = this.lines.find((l) => /XS abort|memory full|stack overflow|MQTT FAIL|\[blynk error\]/.test(l));
      if (bad) throw new Error(`while waiting for ${what} the simulator printed: ${bad}`);
      if (!this.running) throw new Error(`the simulator exited before ${what}; last lines:\n${this.lines.slice(-15).join('\n')}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last lines:\n${this.lines.slice(-15).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    await this.exited;
  }

  /** Instrument samples (one a second) printed between the lines matching `from` and `to`. */
  samples(from: RegExp, to: RegExp): Record<string, number>[] {
    const keyLine = this.lines.find((l) => l.startsWith('instruments key: '));
    const keys = keyLine ? keyLine.slice('instruments key: '.length).split(',') : [];
    const out: Record<string, number>[] = [];
    let on = false;
    for (const line of this.lines) {
      if (from.test(line)) on = true;
      else if (to.test(line)) break;
      else if (on && line.startsWith('instruments: ')) {
        const values = line.slice('instruments: '.length).split(',').map(Number);
        const s: Record<string, number> = {};
        keys.forEach((k, i) => (s[k] = values[i] ?? 0));
        out.push(s);
      }
    }
    return out;
  }

  /** Every sample, for the stack peak and the collections. */
  allSamples(): Record<string, number>[] {
    return this.samples(/^instruments key: /, /^\u0000never$/);
  }
}

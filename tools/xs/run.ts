// Run an app inside XS with the bridged HAL: the app's bundle imports './blynk-xs-bridge.mjs'
// and calls createBridgeHal(); sockets, timers, flash and HTTP are the Node HAL's, in this process.
//
//   const run = await runBridged({ app: 'tools/demo/xs-app.ts', params: { token, server }, halOptions: { storageDir } });
//   ...
//   await run.stop();
import path from 'node:path';
import type { LogLevel } from '../../hal/interfaces';
import { createNodeHal, type NodeHal, type NodeHalOptions } from '../../hal/node';
import { BridgeServer } from './bridge';
import { buildTarget, buildXs, XS_OUT } from './build';
import { XsWorker } from './worker';

export interface RunBridgedOptions {
  /**
   * The app: a TypeScript entry (bundled on the fly, importing the runtime from
   * build/entries/xs-bridge.ts) or an already built .mjs beside blynk-xs-bridge.mjs.
   */
  app: string;
  /** JSON the app reads as hal.params (token, server, ...). */
  params?: Record<string, unknown>;
  /** The Node HAL serving the bridge (storageDir = the device's flash, ca, otaPath...). */
  halOptions?: NodeHalOptions;
  /** Log lines from inside XS, and the Node HAL's own (prefixed "host: "). Default: the console. */
  onLog?: (level: LogLevel, message: string) => void;
  /** What the app sends with hal.post(). */
  onMessage?: (message: unknown) => void;
  /** XS failed while handling events (an exception escaped the app, the worker died). */
  onError?: (error: Error) => void;
  /** Seed of the XS side's Random. */
  seed?: number;
  /** Run the debug build of xsnap-worker. */
  debug?: boolean;
  /** Where bundles go. Default build/dist/xs. */
  outDir?: string;
}

export interface BridgedRun {
  readonly worker: XsWorker;
  readonly hal: NodeHal;
  readonly bridge: BridgeServer;
  /** Ask the app (hal.onRequest) and get its JSON answer. */
  request(value: unknown): Promise<unknown>;
  /** Flip the Node HAL's network state; the app hears it through hal.network. */
  setNetworkUp(up: boolean): void;
  /**
   * Ask the app to stop (hal.onStop), wait up to `timeoutMs` for its transports to close, then
   * dispose of the HAL and the worker. Idempotent.
   */
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves when the run has ended (stop() or the worker died). */
  readonly done: Promise<void>;
}

const consoleLog = (level: LogLevel, message: string): void => {
  // eslint-disable-next-line no-console
  (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(`[${level}] ${message}`);
};

async function appBundle(app: string, outDir: string): Promise<string> {
  await buildXs(['blynk-xs-bridge'], outDir);
  if (app.endsWith('.mjs') || app.endsWith('.js')) return path.resolve(app);
  const name = `app-${path.basename(app).replace(/\.ts$/, '').replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return buildTarget({ name, entry: app }, outDir);
}

export async function runBridged(options: RunBridgedOptions): Promise<BridgedRun> {
  const onLog = options.onLog ?? consoleLog;
  const bundle = await appBundle(options.app, options.outDir ?? XS_OUT);
  const hal = createNodeHal({ log: (level, message) => onLog(level, `host: ${message}`), ...options.halOptions });
  let worker: XsWorker;
  try {
    worker = await XsWorker.start({ name: path.basename(bundle), debug: options.debug, onPrint: (line) => onLog('debug', `print: ${line}`) });
  } catch (e) {
    hal.dispose();
    throw e;
  }
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  let stopping: Promise<void> | undefined;
  const finish = async (): Promise<void> => {
    bridge.dispose();
    hal.dispose();
    await worker.close().catch(() => worker.kill());
    ended();
  };
  const bridge = new BridgeServer(worker, hal, {
    params: options.params,
    seed: options.seed,
    onLog,
    onMessage: options.onMessage,
    onError: (e) => {
      (options.onError ?? ((x: Error) => onLog('error', `xs: ${x.message}`)))(e);
      if (!worker.alive) void finish();
    },
  });
  try {
    await worker.importModule(bundle); // the app's top level: createBridgeHal(), start()
  } catch (e) {
    await finish();
    throw e;
  }
  return {
    worker,
    hal,
    bridge,
    request: (value) => bridge.query(value),
    setNetworkUp: (up) => hal.setNetworkUp(up),
    stop(timeoutMs = 3000) {
      stopping ??= (async () => {
        if (worker.alive) {
          await bridge.stop();
          const deadline = Date.now() + timeoutMs;
          // Real sockets close asynchronously: let their CLOSED events reach the app.
          while (bridge.openTransports > 0 && Date.now() < deadline && worker.alive) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            await bridge.idle();
          }
        }
        await finish();
      })();
      return stopping;
    },
    done,
  };
}

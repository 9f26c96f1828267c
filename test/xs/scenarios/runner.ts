// Runs scenarios inside XS on the parent's request: handleCommand(JSON { run: name } or
// { list: true }) answers JSON { ok, error?, engine, ms }. A bundle installs it at load time.
import { utf8Decode, utf8Encode } from '../../../build/entries/xs-mock';
import { engineName } from './environment';

export interface ScenarioResult {
  ok: boolean;
  error?: string;
  engine: string;
  ms: number;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    // Our own failures say all; anything else (a TypeError in the runtime) needs its stack.
    return e.name === 'ScenarioFailure' ? e.message : `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ''}`;
  }
  return String(e);
}

export type Scenario = () => void | Promise<void>;

/** Runs a scenario; an async one settles within the crank (the mock HAL's time is virtual). */
export function run(scenarios: Record<string, Scenario>, name: string, done: (r: ScenarioResult) => void): void {
  const scenario = scenarios[name];
  const t0 = Date.now();
  const finish = (error?: unknown): void => {
    const r: ScenarioResult = { ok: error === undefined, engine: engineName(), ms: Date.now() - t0 };
    if (error !== undefined) r.error = describe(error);
    done(r);
  };
  if (!scenario) return finish(`no scenario named ${JSON.stringify(name)}`);
  try {
    const p = scenario();
    if (p && typeof p.then === 'function') p.then(() => finish(), (e: unknown) => finish(e ?? 'rejected'));
    else finish();
  } catch (e) {
    finish(e ?? 'threw');
  }
}

const bytes = (v: unknown): ArrayBuffer => utf8Encode(JSON.stringify(v)).slice().buffer as ArrayBuffer;

export function installRunner(scenarios: Record<string, Scenario>): void {
  // xsnap answers with `result` once the crank's promise jobs have run.
  (globalThis as Record<string, unknown>).handleCommand = (request: ArrayBuffer): { result: ArrayBuffer } => {
    const q = JSON.parse(utf8Decode(new Uint8Array(request))) as { run?: string; list?: boolean };
    const box = { result: bytes({ ok: false, error: 'the scenario did not settle within the crank', engine: engineName(), ms: 0 }) };
    if (q.list) box.result = bytes(Object.keys(scenarios));
    else run(scenarios, q.run ?? '', (r) => (box.result = bytes(r)));
    return box;
  };
}

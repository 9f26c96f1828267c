// The Moddable SDK's tools for building apps for the Linux simulator, shared by the simulator
// tests and bench:ram. Builds use `-t build` (the default target kills and launches processes by
// name) and `-o <dir>` (nothing is written into the SDK), at most 2 make jobs.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { delimiter, join } from 'node:path';

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
  const PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`; // the SDK's tools first, as its Linux guide says
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


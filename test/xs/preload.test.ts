// Moddable preloads the runtime bundle: whatever a module holds when the build runs is frozen
// into flash, so a module-level Map, Set, WeakMap or WeakSet throws at its first add() on the
// device (the simulator aborted on one: "XS abort: unhandled exception"). xsnap does not
// preload, so this checks the device code statically: collections are made at first use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('device code (src/, hal/moddable) makes no Map, Set, WeakMap or WeakSet at module level', () => {
  const found: string[] = [];
  for (const f of [...files(path.join(ROOT, 'src')), ...files(path.join(ROOT, 'hal/moddable'))]) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^(export\s+)?(const|let|var)\s[^=]*=\s*new\s+(Map|Set|WeakMap|WeakSet)\b/.test(line)) found.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});

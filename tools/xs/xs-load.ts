// The dynamic half of the bundle check: load a bundle inside XS, which has none of Node's or a
// browser's globals, so a top-level use of one fails there. A device bundle imports Moddable
// modules ("timer", "socket"...) that xsnap does not have: it is loaded in a Compartment whose
// loader hands out inert stand-ins exporting the names the bundle imports.
import { readFileSync } from 'node:fs';
import { parseAst } from 'rollup/parseAst';
import type { XsWorker } from './worker';

type Node = { type: string; [key: string]: unknown };

/** Bare import specifiers of a module, with the names it imports from each. */
export function bareImports(code: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of parseAst(code).body as unknown as Node[]) {
    if (s.type !== 'ImportDeclaration' && s.type !== 'ExportNamedDeclaration' && s.type !== 'ExportAllDeclaration') continue;
    const source = (s.source as { value?: unknown } | null)?.value;
    if (typeof source !== 'string' || source.startsWith('.') || source.startsWith('/')) continue;
    const names = out.get(source) ?? new Set<string>();
    out.set(source, names);
    for (const spec of (s.specifiers as Node[] | undefined) ?? []) {
      if (spec.type === 'ImportDefaultSpecifier') names.add('default');
      else if (spec.type === 'ImportSpecifier' || spec.type === 'ExportSpecifier') {
        const n = (spec.type === 'ImportSpecifier' ? spec.imported : spec.local) as { name?: string; value?: string };
        names.add(n.name ?? n.value ?? 'default');
      }
    }
  }
  return out;
}

/** A stand-in module: every imported name is an inert class (constructible, callable statics absent). */
function stubSource(names: Set<string>): string {
  const lines = ['class Stub {}'];
  for (const n of names) lines.push(n === 'default' ? 'export default Stub;' : `export const ${n} = Stub;`);
  return lines.join('\n');
}

/**
 * Import `file` inside the worker and let its top level run. Throws (with XS's message) if it
 * fails there, e.g. "ReferenceError: get Buffer: undefined variable".
 */
export async function loadInXs(worker: XsWorker, file: string): Promise<void> {
  const code = readFileSync(file, 'utf8');
  const bare = bareImports(code);
  if (bare.size === 0) {
    await worker.importModule(file);
    return;
  }
  const sources: Record<string, string> = { main: code };
  for (const [spec, names] of bare) sources[spec] = stubSource(names);
  const script = `(() => {
    const box = { result: undefined };
    const say = (s) => { box.result = new TextEncoder().encode(s).buffer; };
    const sources = ${JSON.stringify(sources)};
    const load = (spec) => ({ source: new ModuleSource(sources[spec]) });
    try {
      const c = new Compartment({ globals: {}, resolveHook: (spec) => spec, loadHook: async (spec) => load(spec), loadNowHook: load });
      c.import('main').then(() => say('ok'), (e) => say(String(e)));
    } catch (e) { say(String(e)); }
    return box;
  })()`;
  const reply = await worker.evaluate(script);
  const text = Buffer.from(reply.bytes).toString('utf8');
  if (text !== 'ok') throw new Error(`loading ${file} in XS failed: ${text || 'it did not settle within the crank'}`);
}

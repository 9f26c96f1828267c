// Reads a Moddable manifest and everything it includes for one platform, the way mcconfig
// merges them (platform sections, "..." fallback, $(VAR)s, "build" variables with "?="), and
// lists the JS module specifiers they declare. Enough to answer "does this app's manifest
// provide every module its code imports?" without building; it does not compile anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ManifestView {
  /** Module specifier -> source file (without extension), for JS modules only. */
  modules: Map<string, string>;
  /** Every manifest read, in include order. */
  manifests: string[];
  /** "error" entries of the matching platform sections. */
  errors: string[];
  /** Includes that could not be followed (an unset variable, a missing file). */
  unresolved: string[];
  /** FFI functions declared for this platform (mc/ffi). */
  ffi: string[];
}

type Json = Record<string, unknown>;

const JS = ['.js', '.mjs', '.ts'];

function matchPlatform(platforms: Json, name: string): Json | undefined {
  const parts = name.split('/');
  while (parts.length > 0) {
    const partial = parts.join('/');
    for (const key of Object.keys(platforms)) {
      if (key.endsWith('/*') ? partial.startsWith(key.slice(0, -1)) : key.startsWith('*/') ? partial.endsWith(key.slice(1)) : partial === key) {
        return platforms[key] as Json;
      }
    }
    parts.length -= 1;
  }
  return platforms['...'] as Json | undefined;
}

class Reader {
  readonly view: ManifestView = { modules: new Map(), manifests: [], errors: [], unresolved: [], ffi: [] };
  private readonly vars: Record<string, string>;

  constructor(
    private readonly platform: string,
    vars: Record<string, string>,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.vars = { ...vars };
  }

  /** $(NAME) from the manifests' variables, then the environment; undefined if one is unset. */
  private subst(value: string): string | undefined {
    let missing = false;
    const out = value.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
      const v = this.vars[name] ?? this.env[name];
      if (v === undefined) missing = true;
      return v ?? '';
    });
    return missing ? undefined : out;
  }

  private resolvePath(value: string, dir: string): string | undefined {
    const v = this.subst(value);
    if (v === undefined) return undefined;
    return path.isAbsolute(v) ? path.normalize(v) : path.resolve(dir, v);
  }

  private build(section: Json | undefined, dir: string): void {
    const build = section?.build as Record<string, string> | undefined;
    for (const [key, value] of Object.entries(build ?? {})) {
      if (typeof value !== 'string') continue;
      if (key.endsWith(' ?=')) {
        const name = key.slice(0, -3);
        if (name in this.vars) continue;
        const fromEnv = this.env[name];
        this.vars[name] = fromEnv ?? this.resolvePath(value, dir) ?? value;
      } else {
        const v = this.subst(value) ?? value;
        this.vars[key] = v.startsWith('./') ? path.resolve(dir, v) : v;
      }
    }
  }

  read(file: string): void {
    if (this.view.manifests.includes(file)) return;
    this.view.manifests.push(file);
    const dir = path.dirname(file);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Json;
    const section = manifest.platforms ? matchPlatform(manifest.platforms as Json, this.platform) : undefined;
    this.build(manifest, dir);
    this.build(section, dir);
    if (typeof section?.error === 'string') this.view.errors.push(`${file}: ${section.error}`);
    for (const inc of [manifest.include, section?.include].flatMap((i) => (i === undefined ? [] : Array.isArray(i) ? i : [i]))) {
      if (typeof inc !== 'string') continue; // git includes are not followed
      const target = this.resolvePath(inc, dir);
      if (target && existsSync(target)) this.read(target);
      else this.view.unresolved.push(`${file}: ${inc}`);
    }
    for (const modules of [manifest.modules, section?.modules]) this.modules(modules as Json | undefined, dir);
    for (const ffi of [manifest.ffi, section?.ffi] as (Json | undefined)[]) this.view.ffi.push(...Object.keys((ffi?.functions as Json | undefined) ?? {}));
  }

  private modules(modules: Json | undefined, dir: string): void {
    for (const [key, value] of Object.entries(modules ?? {})) {
      const sources = (Array.isArray(value) ? value : [value]).map((s) => (typeof s === 'string' ? s : (s as Json | null)?.source)).filter((s): s is string => typeof s === 'string');
      for (const source of sources) {
        const full = this.resolvePath(source, dir);
        if (full) this.add(key, full);
      }
    }
  }

  /** What mcconfig's ModulesRule does with one "target": "source" pair (JS files only). */
  private add(key: string, source: string): void {
    const dir = path.dirname(source);
    const name = path.basename(source);
    if (!existsSync(dir)) return;
    const star = name.indexOf('*');
    for (const file of readdirSync(dir)) {
      const ext = path.extname(file);
      if (!JS.includes(ext) || file.endsWith('.d.ts')) continue;
      const stem = file.slice(0, -ext.length);
      let spec: string | undefined;
      if (star >= 0) {
        const prefix = name.slice(0, star);
        if (!stem.startsWith(prefix)) continue;
        const rest = stem.slice(prefix.length);
        spec = key === '*' ? rest : key.replace('*', rest);
      } else if (stem === name || file === name) {
        spec = key === '*' ? stem : key;
      }
      if (spec !== undefined && !this.view.modules.has(spec)) this.view.modules.set(spec, path.join(dir, stem));
    }
  }
}

/**
 * The merged view of `manifest` for `platform` ("esp32", "lin"...). `vars` seeds variables such
 * as MODDABLE; `env` stands for the shell environment mcconfig would see.
 */
export function readManifest(manifest: string, platform: string, vars: Record<string, string>, env: Record<string, string | undefined> = {}): ManifestView {
  const reader = new Reader(platform, { PLATFORM: platform.split('/')[0]!, ...vars }, env);
  reader.read(path.resolve(manifest));
  const view = reader.view;
  // Generated by mcconfig itself: the merged "config", and the FFI bindings when declared.
  view.modules.set('mc/config', '(mcconfig: the manifests\' "config")');
  if (view.ffi.length > 0) view.modules.set('mc/ffi', '(mcconfig: "ffi" functions)');
  return view;
}

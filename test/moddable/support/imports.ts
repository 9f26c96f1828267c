// Which bare module specifiers a piece of device code imports, found by walking its relative
// imports from an entry file with the TypeScript parser. Type-only imports are left out: they
// vanish when compiled, so the XS linker never sees them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportScan {
  /** Bare specifier -> the files (relative to `root`) that import it. */
  bare: Map<string, string[]>;
  /** Every file visited. */
  files: string[];
}

function resolveRelative(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(m?js)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.js`, `${stem}.mjs`, path.join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile() && !c.endsWith('.d.ts')) return c;
  }
  return undefined;
}

/** The value imports and re-exports of one file (not `import type` / `export type`). */
export function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      if (clause?.isTypeOnly) continue;
      // `import { type A, type B } from 'x'` also vanishes (with verbatimModuleSyntax off).
      const named = clause?.namedBindings;
      if (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)) continue;
      out.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      out.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

/** Walks from `entries` (relative to `root`) through relative imports; bare ones end the walk. */
export function scanImports(root: string, entries: readonly string[]): ImportScan {
  const bare = new Map<string, string[]>();
  const seen = new Set<string>();
  const queue = entries.map((e) => path.resolve(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (!target) throw new Error(`${path.relative(root, file)}: cannot resolve "${spec}"`);
        queue.push(target);
      } else {
        const list = bare.get(spec) ?? [];
        list.push(path.relative(root, file));
        bare.set(spec, list);
      }
    }
  }
  return { bare, files: [...seen].map((f) => path.relative(root, f)).sort() };
}

/** The bare specifiers in the import/export lines of a bundle (rollup's ES output). */
export function bundleImports(file: string): string[] {
  return [...new Set(valueImports(file).filter((s) => !s.startsWith('.')))].sort();
}

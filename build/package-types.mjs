// After tsc wrote dist/types: relative imports in the declarations get the extension Node's ESM
// resolution needs ("./x" -> "./x.js" or "./x/index.js"), so a project using moduleResolution
// node16/nodenext resolves them as well as one using "bundler".
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/types');

function* walk(d) {
  for (const f of readdirSync(d)) {
    const p = path.join(d, f);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.d.ts')) yield p;
  }
}

let files = 0;
for (const file of walk(dir)) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+?)\2/g, (all, lead, q, spec) => {
    if (/\.(m?js|json)$/.test(spec)) return all;
    const base = path.resolve(path.dirname(file), spec);
    if (existsSync(`${base}.d.ts`)) return `${lead}${q}${spec}.js${q}`;
    if (existsSync(path.join(base, 'index.d.ts'))) return `${lead}${q}${spec}/index.js${q}`;
    throw new Error(`${file}: cannot resolve ${spec}`);
  });
  if (fixed !== text) writeFileSync(file, fixed);
  files++;
}
process.stdout.write(`package types: ${files} declaration files in ${path.relative(process.cwd(), dir)}\n`);

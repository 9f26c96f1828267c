// Helpers of own-app.test.ts: the docs' marked code blocks, and C string literals in mc.xs.c.

/** The code blocks the docs mark with `<!-- your-app: NAME -->`. */
export function yourAppFiles(markdown: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const m of markdown.matchAll(/<!-- your-app: ([\w.]+) -->\n```\w*\n([\s\S]*?)```/g)) files[m[1]!] = m[2]!;
  return files;
}

/** The bytes of every C string literal in `c` that contains `needle` (xsl writes data as "\xHH..."). */
export function cLiteralsWith(c: string, needle: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (const m of c.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
    const body = m[1]!;
    if (!body.includes('\\x62\\x6c\\x6e\\x6b')) continue; // "blnk", as xsl escapes it
    const bytes: number[] = [];
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\') {
        bytes.push(ch.charCodeAt(0));
        continue;
      }
      const next = body[++i]!;
      if (next === 'x') {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))![0];
        bytes.push(parseInt(hex, 16));
        i += hex.length;
      } else if (/[0-7]/.test(next)) {
        const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        bytes.push(parseInt(oct, 8));
        i += oct.length - 1;
      } else bytes.push({ n: 10, t: 9, r: 13, '0': 0 }[next as 'n'] ?? next.charCodeAt(0));
    }
    const buf = Buffer.from(bytes);
    if (buf.includes(Buffer.from(needle))) out.push(buf);
  }
  return out;
}

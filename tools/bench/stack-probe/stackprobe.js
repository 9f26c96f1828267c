// bench:stack's probe: enter(name) runs first in every function of the instrumented bundle. It
// keeps a shadow of the call chain by depth (a function entered at depth d ends every recorded
// frame at d or deeper: those have returned) and remembers the chain at the deepest entry.
// take() returns that chain and starts over. State is made at the first call: what a preloaded
// module makes at build time is frozen, and the native is not
// there while the bundle is preloaded (its module code calls functions then).
function depth() @ "xs_stackprobe_depth";

let s;
export function enter(name) {
  let d;
  try {
    d = depth();
  } catch {
    return; // at build time (preloading), where the native is not linked
  }
  if (s === undefined) s = { names: [], depths: [], n: 0, max: 0, chain: [] };
  let n = s.n;
  while (n > 0 && s.depths[n - 1] >= d) n--;
  s.names[n] = name;
  s.depths[n] = d;
  s.n = ++n;
  if (d > s.max) {
    s.max = d;
    s.chain = s.depths.slice(0, n).map((x, i) => x + " " + s.names[i]);
  }
}
export function take() {
  if (s === undefined) return "0";
  const r = s.max + (s.chain.length ? "\n" + s.chain.join("\n") : "");
  s.max = 0;
  s.chain = [];
  return r;
}
export function now() {
  return depth();
}

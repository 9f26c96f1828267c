// Proof of where the scenarios run: inside XS, none of Node's or a browser's globals exist,
// and the XS-only ones do.
import { equal, ok } from './assert';

const NODE_OR_BROWSER = [
  'Buffer', 'process', 'require', 'module', '__dirname', 'console', 'setTimeout', 'setInterval',
  'clearTimeout', 'window', 'document', 'fetch',
];

export function engineName(): string {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.issueCommand === 'function' && typeof g.process === 'undefined') return 'xs';
  return typeof g.process === 'object' ? 'node' : 'unknown';
}

export function environment(): void {
  const g = globalThis as Record<string, unknown>;
  const present = NODE_OR_BROWSER.filter((name) => typeof g[name] !== 'undefined');
  equal(present, [], 'Node/browser globals present');
  ok(typeof g.issueCommand === 'function' && typeof g.setImmediate === 'function', 'xsnap globals issueCommand and setImmediate');
  equal(engineName(), 'xs', 'engine');
}

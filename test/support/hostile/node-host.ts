// How the hostile cases run on Node: promises settle on setImmediate, and rejections nobody
// handled are caught with process's 'unhandledRejection' (what would crash a Node host).
import type { CaseHost } from './case';

export const nodeHost: CaseHost = {
  settle: () => new Promise((r) => setImmediate(r)),
  watchUnhandled() {
    const seen: unknown[] = [];
    const on = (e: unknown) => seen.push(e);
    process.on('unhandledRejection', on);
    return () => {
      process.off('unhandledRejection', on);
      return seen;
    };
  },
};

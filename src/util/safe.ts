// Calling application code without letting anything escape (C-APP-1): a handler or listener
// that throws, or returns a promise (or any thenable) that rejects, is reported through
// `failed`; the caller carries on. The one wrapper the runtime uses for application code.

/** If `result` is a thenable, route its rejection to `failed`. */
export function settle(result: unknown, failed: (e: unknown) => void): void {
  if (result === undefined || result === null) return;
  const t = typeof result;
  if (t !== 'object' && t !== 'function') return;
  try {
    const then = (result as { then?: unknown }).then;
    if (typeof then === 'function') then.call(result, undefined, failed);
  } catch (e) {
    failed(e); // a hostile thenable whose `then` throws
  }
}

/** Run `fn()`; a throw or a rejection goes to `failed`. Returns what `fn` returned (undefined if it threw). */
export function callSafely<T>(fn: () => T, failed: (e: unknown) => void): T | undefined {
  let r: T;
  try {
    r = fn();
  } catch (e) {
    failed(e);
    return undefined;
  }
  settle(r, failed);
  return r;
}

/** True for anything with a callable `then`. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/** Text for anything thrown, even a value whose toString or message throws (never throws itself). */
export function describeError(e: unknown): string {
  try {
    if (e instanceof Error) return String(e.message);
  } catch {
    // a throwing message getter: fall through
  }
  try {
    return String(e);
  } catch {
    try {
      return Object.prototype.toString.call(e);
    } catch {
      return 'an unprintable value';
    }
  }
}

// C-SECRETS, over the whole suite: every log line written to a mock or test log and every
// error emitted by the runtime is checked for the test tokens; each test file fails at the
// end if one appeared. Installed for every test file through jest's setupFilesAfterEach.
import { MockLog } from '../../hal/mock/misc';
import { Emitter } from '../../src/util/emitter';
import { TEST_TOKENS } from './tokens';

const leaks: string[] = [];

/** The test tokens that appear unmasked in `text`. */
export function tokensIn(text: string): string[] {
  return TEST_TOKENS.filter((t) => text.includes(t));
}

export function checkForTokens(where: string, text: string): void {
  if (tokensIn(text).length > 0) leaks.push(`${where}: ${text.slice(0, 200)}`);
}

const write = MockLog.prototype.write;
MockLog.prototype.write = function (this: MockLog, level, message) {
  checkForTokens('log line', message);
  return write.call(this, level, message);
};

const emit = Emitter.prototype.emit;
Emitter.prototype.emit = function (this: Emitter<Record<string, unknown>>, event: string, value: unknown) {
  if (value instanceof Error) checkForTokens(`'${event}' event`, `${value.message} ${JSON.stringify((value as { detail?: unknown }).detail ?? {})}`);
  else if (value && typeof value === 'object' && 'error' in value && (value as { error?: unknown }).error instanceof Error) {
    checkForTokens(`'${event}' event`, ((value as { error: Error }).error).message);
  }
  return emit.call(this, event, value);
} as typeof Emitter.prototype.emit;

(globalThis as { __checkForTokens?: typeof checkForTokens }).__checkForTokens = checkForTokens;

afterAll(() => {
  // eslint-disable-next-line jest/no-standalone-expect
  expect({ tokenLeaks: leaks }).toEqual({ tokenLeaks: [] });
});

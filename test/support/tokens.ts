// The auth tokens tests use. The secrets guard (secrets-guard.ts) fails the suite if any of
// them shows up unmasked in a log line or an error message (C-SECRETS).
export const TOKEN = 'Tk3nQwErTyUiOpAsDfGhJkLzXcVbNm42';
export const OTHER_TOKEN = 'Zz9yXwVuTsRqPoNmLkJiHgFeDcBa0987';
export const TEST_TOKENS: readonly string[] = [TOKEN, OTHER_TOKEN, 'testToken_0123456789abcdefABCDEF'];

// Jest runs in ESM mode (node --experimental-vm-modules): aedes, the broker library the
// emulator is built on, is ESM-only and cannot be loaded from CommonJS.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.node.json', diagnostics: false }],
  },
  // C-SECRETS: fails any test file in which a test token reached a log line or an error.
  setupFilesAfterEnv: ['<rootDir>/test/support/secrets-guard.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  watchman: false,
};

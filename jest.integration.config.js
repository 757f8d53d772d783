// Integration tests: real PostgreSQL, Kafka and Kafka Connect + Debezium, started once for the
// whole run by the global setup (or reused when `cdc stack up` already runs one).
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'integration',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/integration/sequencer.js',
};

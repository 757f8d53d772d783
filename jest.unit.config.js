// Unit tests: no services needed. Fast, run first.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'unit',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unit'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30_000,
};

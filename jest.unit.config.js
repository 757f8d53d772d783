// Unit tests: no services needed. Fast, run first.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'unit',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unit'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // uuid is ES modules only (thrift needs it for Parquet): see test/helpers/uuid-cjs.ts.
  moduleNameMapper: { '^uuid$': '<rootDir>/test/helpers/uuid-cjs.ts' },
  testTimeout: 30_000,
  // Jest's default is one worker fewer than the cores: on CI's two, the files would run one after
  // another, and much of their time is waiting (timeouts, child processes), not CPU.
  maxWorkers: 2,
};

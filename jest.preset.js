// One jest setup for every project: ts-jest in transpile-only mode (type errors are
// caught by `npm run typecheck`), node environment (failing a test file that leaves a server
// listening, which would hang the run), UTC so time handling is honest.
process.env.TZ = 'UTC';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: require('node:path').join(__dirname, 'jest.environment.js'),
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@health-bridge/delivery$': '<rootDir>/../../libs/delivery/src/index.ts',
    '^@health-bridge/fhir/testing$': '<rootDir>/../../libs/fhir/src/testing.ts',
    '^@health-bridge/fhir$': '<rootDir>/../../libs/fhir/src/index.ts',
    '^@health-bridge/health-archive/testing$': '<rootDir>/../../libs/health-archive/src/testing.ts',
    '^@health-bridge/health-archive$': '<rootDir>/../../libs/health-archive/src/index.ts',
    '^@health-bridge/viatom-client$': '<rootDir>/../../libs/viatom-client/src/index.ts',
    '^@health-bridge/viatom-protocol/testing$': '<rootDir>/../../libs/viatom-protocol/src/testing.ts',
    '^@health-bridge/viatom-protocol$': '<rootDir>/../../libs/viatom-protocol/src/index.ts',
    '^@health-bridge/viatom-sandbox$': '<rootDir>/../../tools/viatom-sandbox/src/index.ts',
  },
  testMatch: ['**/?(*.)+(spec|test).ts'],
  testTimeout: 30000,
};

// The system suite (`npm run test:system`): the prod stack deployed into moto, each function's artifact run under its
// own role, and DynamoDB contract tests against the emulator's DynamoDB. Needs python3 with moto[server].
const base = require('./jest.config.js').projects[0];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: 'system',
  testMatch: ['<rootDir>/test/system/**/*.test.ts'],
  globalSetup: '<rootDir>/test/system/global-setup.ts',
  globalTeardown: '<rootDir>/test/system/global-teardown.ts',
  // One emulator and one stack per file, each file's scenarios in order; two cores are shared by the
  // emulator, the functions' processes and jest.
  maxWorkers: 1,
  // least-privilege.test.ts reads what every other file's account authorised, so it runs last.
  testSequencer: '<rootDir>/test/system/sequencer.cjs',
  testTimeout: 120_000,
};

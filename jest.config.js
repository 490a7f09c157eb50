// Four projects: fast unit tests, integration tests that start real HTTP servers on 127.0.0.1, packaging
// tests that run `serverless package` offline and read the CloudFormation it generates, and property tests.
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.[mc]?[tj]sx?$': ['@swc/jest'] },
  // @kubernetes/client-node and middy ship ESM only, so node_modules are transformed too.
  transformIgnorePatterns: [],
  // middy 7 exports only `import`; jest resolves with `require` conditions.
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'packaging', testMatch: ['<rootDir>/test/packaging/**/*.test.ts'] },
    // Generated inputs over every entry point (fast-check): a fixed seed and few runs here, many under `npm run fuzz`.
    { ...common, displayName: 'property', testMatch: ['<rootDir>/test/property/**/*.property.test.ts'] },
  ],
};

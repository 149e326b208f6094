// Jest through JupyterLab's own test setup (ts-jest with tsconfig.test.json,
// a jsdom with fetch). JupyterLab's packages ship ES modules: Babel turns
// them into CommonJS too, besides those the setup already lists.
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const base = jestJupyterLab(__dirname);
const [esModulesOnly] = base.transformIgnorePatterns;

module.exports = {
  ...base,
  reporters: ['default'],
  testRegex: '/test/.*\\.spec\\.ts$',
  transformIgnorePatterns: [esModulesOnly.replace('(?!', '(?!@jupyterlab/|')]
};

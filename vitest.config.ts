import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Java and Chromium checked (and installed with apt-get where it may) before any test runs; see the file.
    globalSetup: ['./test/support/prerequisites.ts'],
    // The embedded stack (DynamoDB Local on Java, fauxqs, SES) is started once per file; files run one after another
    // so two stacks never compete for the machine's two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration files bring their own Dovecot users and databases, so they may overlap.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

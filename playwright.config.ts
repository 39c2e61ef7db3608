import { defineConfig } from '@playwright/test';

// End-to-end tests in Debian's Chromium against the demo (vboxsim + Nimbox),
// started on its own ports and data folder by e2e/server.ts.
const port = Number(process.env.E2E_PORT ?? 3555);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: 'npx tsx e2e/server.ts',
    url: `http://127.0.0.1:${port}/api/v1/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    // SIGTERM (not the default SIGKILL) so e2e/server.ts stops slapd and removes the PAM user and service file it made.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: { E2E_PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' },
  },
});

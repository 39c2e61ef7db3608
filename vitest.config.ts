import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// `NIMBOX_TEST_DB=postgres vitest run`: the tests again on PostgreSQL. One server for the run (globalSetup); the
// test helpers (tempDataDir, tempDb, testDbLocation) give each test a database of its own in it.
const onPostgres = process.env.NIMBOX_TEST_DB === "postgres";

// What never opens a database is left out of that run: vboxsim, lib/vbox, the components' and other pure units.
const neverOpensDb = [
  "sim/**", "lib/vbox/**", "components/**", "lib/hooks/**", "lib/util/**", "deploy/**",
  "app/api/v1/health/**", "lib/api/handler.test.ts", "lib/auth/{address,origin,password,paths,policy}.test.ts",
  "lib/console/{client-messages,des,ring}.test.ts", "lib/ha/{bmc-harness,fence}.test.ts", "lib/media/folders.test.ts",
  "lib/metrics/usage/observe.test.ts", "lib/{networks,teleport}/placement.test.ts",
  // …and what runs on PostgreSQL in the first run already (several instances on one database).
  "**/instances.test.ts", "app/api/v1/cluster/instances/**", "lib/coord/postgres.test.ts", "lib/ha/status.test.ts", "lib/db/pg-testing.test.ts",
];

export default defineConfig({
  resolve: {
    // Mirrors the "@/*" path in tsconfig.json.
    alias: { "@": fileURLToPath(new URL(".", import.meta.url)) },
  },
  test: {
    environment: "node",
    include: ["**/*.test.ts"],
    exclude: [...configDefaults.exclude, "**/.next/**", "e2e/**", "data/**", ...(onPostgres ? neverOpensDb : [])],
    pool: "forks",
    // Most tests wait on servers and timers, not the CPU: two files at a time on the 2-core CI machine halve the
    // suite (Vitest would run one: CPUs - 1).
    maxWorkers: 2,
    globalSetup: onPostgres ? ["lib/db/pg-global-setup.ts"] : [],
    setupFiles: ["vitest.setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

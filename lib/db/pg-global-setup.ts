import { ensureTestPostgres } from './pg-testing';

/**
 * Vitest's globalSetup in the PostgreSQL run (`NIMBOX_TEST_DB=postgres vitest run …`): one server for the whole
 * run, its admin URL in NIMBOX_TEST_POSTGRES for the workers (they inherit the environment); it stops when vitest exits.
 */
export default async function setup(): Promise<void> {
  await ensureTestPostgres();
}

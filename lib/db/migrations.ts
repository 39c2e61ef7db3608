import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Schema migrations, applied in key order at start. Written with portable types
 * (text, integer) so a PostgreSQL dialect can run them unchanged.
 */
export const migrations: Record<string, Migration> = {
  '001_hosts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('hosts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('password_enc', 'text', (c) => c.notNull())
        .addColumn('console_address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('teleport_address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('storage_path', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('hosts').execute();
    },
  },
  '002_users': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('realm', 'text', (c) => c.notNull().defaultTo('local'))
        .addColumn('password_hash', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await sql`create unique index users_realm_username on users (realm, username)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('users').execute();
    },
  },
};

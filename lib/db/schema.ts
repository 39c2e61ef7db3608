import type { ColumnType, Generated } from 'kysely';

/** Timestamps are ISO 8601 strings (UTC), which SQLite and PostgreSQL both store as text. */
type Timestamp = ColumnType<string, string, string>;

export interface HostsTable {
  id: string;
  name: string;
  /** vboxwebsrv SOAP URL, e.g. http://host-a:18083/ */
  url: string;
  username: string;
  /** The service user's password, encrypted (lib/db/secrets). */
  password_enc: string;
  /** Address browsers' console relay uses to reach the host's VRDE ports. */
  console_address: string;
  /** Address other hosts use to reach this host's teleporter ports. */
  teleport_address: string;
  /** Path where the shared storage is mounted (the same on every host). */
  storage_path: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  username: string;
  /** local, pam or ldap */
  realm: string;
  /** scrypt hash for local users; empty for external realms. */
  password_hash: string;
  role: string;
  created_at: Timestamp;
}

export interface Database {
  hosts: HostsTable;
  users: UsersTable;
}

export type { Generated };

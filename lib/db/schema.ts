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
  /** VRDE TCP/Ports for the machines Nimbox creates on the host, e.g. "5900-5999". */
  vrde_ports: ColumnType<string, string | undefined, string>;
  /** The host network interface new machines' NIC 1 is bridged to by default, e.g. "vbox0". */
  bridge_adapter: ColumnType<string, string | undefined, string>;
  /** 1 while the host is in maintenance (automatic placement skips it), else 0. */
  maintenance: ColumnType<number, number | undefined, number>;
  /** TCP ports a teleport target on this host may listen on (teleporterPort), e.g. "6000-6099". */
  teleport_ports: ColumnType<string, string | undefined, string>;
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

/** One long operation (lib/tasks); see lib/tasks/types.ts for the fields' meaning. */
export interface TasksTable {
  id: string;
  kind: string;
  title: string;
  /** vm or host */
  target_type: string;
  target_id: string;
  target_name: string;
  host_id: string | null;
  user_id: string;
  username: string;
  /** running, succeeded, failed, canceled or lost */
  status: string;
  percent: number;
  message: string;
  /** 0 or 1 */
  cancelable: number;
  /** TaskError as JSON, or null. */
  error: string | null;
  /** The lock keys the task holds while running, as a JSON array (taken again after a restart). */
  locks: string;
  /** The IProgress the task follows (its id on the host `host_id`), to re-attach after a restart. */
  progress_id: string | null;
  /** The share of the task that IProgress covers, [from, to] percent. */
  progress_from: number;
  progress_to: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: string | null;
}

export interface Database {
  hosts: HostsTable;
  users: UsersTable;
  tasks: TasksTable;
}

export type { Generated };

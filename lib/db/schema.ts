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
  /** Connections to vboxwebsrv Nimbox keeps open at most (each holds one of its worker threads). */
  max_connections: ColumnType<number, number | undefined, number>;
  /** How the host is proven powered off before its machines restart elsewhere: manual, ipmi or command (lib/ha). */
  fence_kind: ColumnType<string, string | undefined, string>;
  fence_ipmi_address: ColumnType<string, string | undefined, string>;
  fence_ipmi_port: ColumnType<number, number | undefined, number>;
  fence_ipmi_username: ColumnType<string, string | undefined, string>;
  /** The BMC user's password, encrypted (lib/db/secrets); '' for none. */
  fence_ipmi_password_enc: ColumnType<string, string | undefined, string>;
  /** The site fence script's absolute path. */
  fence_command: ColumnType<string, string | undefined, string>;
  /** Seconds vboxwebsrv must fail before the host is fenced. */
  ha_grace_seconds: ColumnType<number, number | undefined, number>;
  /** This Nimbox server's path of the host's storage path (where it mounts the shared storage); null: not mounted here. */
  local_storage_path: ColumnType<string | null, string | null | undefined, string | null>;
  /** Folders machines' shared folders may be in on this host: a JSON array of absolute paths (issue 16). */
  shared_folder_roots: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  username: string;
  /** local, pam, or ldap:<directory> */
  realm: string;
  /** scrypt hash for local users; empty for external realms. */
  password_hash: string;
  role: string;
  /** The tenant the user belongs to (PAM/LDAP group mapping), or null. */
  tenant: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  /** 1: may not sign in; sessions and tokens ended when set (issue 20). */
  disabled: ColumnType<number, number | undefined, number>;
  /** 1: the password was set by an admin; the user must choose their own before anything else. */
  must_change_password: ColumnType<number, number | undefined, number>;
  password_changed_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** 'en' | 'de', or null for the browser's language. */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  /** TOTP secret (base32), encrypted with lib/db/secrets; set during enrollment. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** When TOTP was confirmed with a first code; null: not enabled. */
  totp_enabled_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** The last 30-second step a TOTP code was accepted for (no replay). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
}

/** One recovery code of a user's two-factor sign-in (issue 20): scrypt-hashed, good once. */
export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One audited event (lib/audit): every sign-in, success or failure, and later every action. */
export interface AuditTable {
  id: string;
  at: Timestamp;
  user_id: string | null;
  username: string;
  tenant: string | null;
  /** e.g. signin, token.create, token.revoke */
  action: string;
  target: string | null;
  /** success or failure */
  result: string;
  /** The client's address. */
  address: string | null;
  detail: string | null;
}

/** A personal API token (lib/auth/tokens): only its SHA-256 hash is stored. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** The first characters of the secret, to find the row (unique). */
  prefix: string;
  /** SHA-256 of the whole token, hex. */
  token_hash: string;
  created_at: Timestamp;
  expires_at: string | null;
  last_used_at: string | null;
}

/** One long operation (lib/tasks); see lib/tasks/types.ts for the fields' meaning. */
export interface TasksTable {
  id: string;
  kind: string;
  title: string;
  /** vm, host or medium */
  target_type: string;
  target_id: string;
  target_name: string;
  /** A medium's task: the tenant whose folder holds the medium (migration 015). */
  target_tenant: string | null;
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
  /** The Nimbox instance running the task (lib/coord's id; migration 023); null on rows of older versions. */
  instance_id: string | null;
  /** The title as a translatable text, JSON { key, values } of the `taskText` catalog (migration 027); null: none. */
  title_i18n: string | null;
  /** The current message as a translatable text, JSON as title_i18n; null: the message has none. */
  message_i18n: string | null;
}

/** A tenant (lib/tenants): a group of users owning machines, with quotas; null quota = unlimited. */
export interface TenantsTable {
  id: string;
  /** Unique slug, e.g. blue (used in /t/<name>/login and in the machines' extradata nimbox/tenant). */
  name: string;
  display_name: string;
  max_machines: number | null;
  max_vcpus: number | null;
  max_memory_mb: number | null;
  max_disk_gb: number | null;
  /** JSON array of host ids the tenant's machines may be placed on; [] = every host. */
  allowed_host_ids: string;
  /** JSON array of realm names allowed at /t/<name>/login. */
  realms: string;
  /** 0 or 1: whether the tenant's operators may teleport its machines. */
  allow_teleport: number;
  /** 0 or 1: whether the tenant's operators may set their machines' HA policy. */
  allow_ha: ColumnType<number, number | undefined, number>;
  /** JSON array of the cluster network ids its machines may use; [] = none (migration 016). */
  allowed_network_ids: ColumnType<string, string | undefined, string>;
  /** JSON array of the templates (machine ids) shared with the tenant; its own templates need no entry (migration 018). */
  allowed_template_ids: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Each machine's tenant (its extradata nimbox/tenant, '' for none) as the inventory last saw it (lib/cluster/tenant-map). */
export interface MachineTenantsTable {
  machine_id: string;
  tenant: string;
  updated_at: Timestamp;
}

/**
 * Quota held by a create or edit in flight (lib/tenants/reservations): until released, its machine counts
 * against the tenant as at least these values, whatever the inventory shows of it yet.
 */
export interface QuotaReservationsTable {
  id: string;
  /** The tenant's name. */
  tenant: string;
  /** The task that holds it, once started. */
  task_id: string | null;
  /** The new machine's UUID, or the edited machine's. */
  machine_id: string;
  machines: number;
  vcpus: number;
  memory_mb: number;
  /** The new disk's size (the disk quota is per new disk: not summed). */
  disk_gb: number;
  created_at: Timestamp;
  /** The instance (lib/coord) whose job holds it (024); null in rows older than that. */
  instance_id: string | null;
}

/** A signed-in browser session (lib/auth/sessions); its id is the session cookie's `sid`. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  /** Written at most once a minute. */
  last_seen_at: string;
  /** The sign-in's end, whatever the cookie says. */
  expires_at: string;
  /** Set by sign-out, "sign out everywhere", a role or tenant change, or a failed realm re-check. */
  revoked_at: string | null;
  /** When a PAM/LDAP user was last found (and mapped) in their realm. */
  realm_checked_at: string;
}

/** A machine's HA policy (lib/ha/store); see HaPolicy. */
export interface HaPoliciesTable {
  machine_id: string;
  /** off or restart */
  mode: string;
  priority: number;
  /** JSON array of host ids. */
  preferred_host_ids: string;
  max_restarts: number;
  window_minutes: number;
  /** The machine's settings file as last read ('' unknown): a restart without a twin opens it. */
  settings_file: ColumnType<string, string | undefined, string>;
  /** Where the HA manager last saw it, and whether it ran there (1/0): what a restart starts from when that host dies. */
  last_host_id: ColumnType<string, string | undefined, string>;
  last_running: ColumnType<number, number | undefined, number>;
  updated_by: string;
  updated_at: Timestamp;
}

/** A host's HA stage while it fails (lib/ha); no row = the host is fine. */
export interface HaHostStatesTable {
  host_id: string;
  stage: string;
  since: string;
  detail: string;
  task_id: string | null;
  fenced_at: string | null;
  fenced_by: string | null;
  updated_at: Timestamp;
}

/** An alarm the HA manager raised (split-brain, fence-failed); open until acknowledged. */
export interface HaAlarmsTable {
  id: string;
  kind: string;
  machine_id: string | null;
  machine_name: string | null;
  /** JSON array of host ids. */
  host_ids: string;
  message: string;
  /** The message as a `serverText` key + values, JSON (migration 027); null on older alarms. */
  message_i18n: string | null;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

/** An ISO upload under way (lib/media/uploads); its offset is the size of its partial file. */
export interface MediaUploadsTable {
  id: string;
  user_id: string;
  /** The uploader's tenant (null: an admin's). */
  tenant: string | null;
  host_id: string;
  /** The target folder as the host sees it (under its storage path). */
  folder: string;
  /** The file name (.iso or .img). */
  name: string;
  size_bytes: number;
  created_at: string;
}

/** A cluster network (lib/networks/store). */
export interface NetworksTable {
  id: string;
  /** Unique slug; machines name it in their extradata nimbox/network/<slot>. */
  name: string;
  description: string;
  /** bridged, hostonly, internal or natnetwork */
  kind: string;
  cidr: string | null;
  /** DhcpSettings as JSON, or null when Nimbox manages no DHCP server. */
  dhcp: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What a cluster network is on one host: its name there, and what Nimbox made there (comma-separated: interface, natnetwork, dhcp). */
export interface NetworkHostsTable {
  network_id: string;
  host_id: string;
  name: string;
  made: ColumnType<string, string | undefined, string>;
}

export interface Database {
  tenants: TenantsTable;
  hosts: HostsTable;
  users: UsersTable;
  tasks: TasksTable;
  audit: AuditTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  quota_reservations: QuotaReservationsTable;
  machine_tenants: MachineTenantsTable;
  ha_policies: HaPoliciesTable;
  ha_host_states: HaHostStatesTable;
  ha_alarms: HaAlarmsTable;
  media_uploads: MediaUploadsTable;
  networks: NetworksTable;
  network_hosts: NetworkHostsTable;
  metric_samples: MetricSamplesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  usage_intervals: UsageIntervalsTable;
  usage_disk_samples: UsageDiskSamplesTable;
  // Issue 19 (tables of migrations 022–025, each by its owner):
  task_locks: TaskLocksTable;
  coord_instances: CoordInstancesTable;
  coord_leases: CoordLeasesTable;
  coord_messages: CoordMessagesTable;
  console_tickets_used: ConsoleTicketsUsedTable;
  signin_failures: SigninFailuresTable;
  teleport_ports: TeleportPortsTable;
  server_settings: ServerSettingsTable;
  inventory_snapshots: InventorySnapshotsTable;
  recovery_codes: RecoveryCodesTable;
}

/** One bucket of a host's or machine's load (lib/metrics/history); values are averages over the bucket. */
export interface MetricSamplesTable {
  /** 'host' or 'vm' */
  kind: string;
  /** The host id, or the machine UUID (one history across teleports). */
  object_id: string;
  /** Bucket length in seconds: 5, 60 or 900. */
  resolution: number;
  /** Bucket start, Unix seconds. */
  ts: number;
  cpu: number | null;
  mem_used_mb: number | null;
  mem_total_mb: number | null;
  net_rx_bps: number | null;
  net_tx_bps: number | null;
  disk_util: number | null;
}
/** A webhook (lib/webhooks): where to POST which events. */
export interface WebhooksTable {
  id: string;
  name: string;
  url: string;
  /** JSON array of event names (lib/webhooks/events). */
  events: string;
  /** The signing secret, encrypted (lib/db/secrets): it must be read back to sign, so not hashed. */
  secret_enc: string;
  /** 1 or 0. */
  enabled: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One event sent (or to be sent) to one webhook, with its attempts so far. */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event: string;
  /** The exact JSON body POSTed (signed as is). */
  payload: string;
  /** pending, delivered or failed */
  status: string;
  attempts: number;
  /** ISO time of the next attempt while pending; null once delivered or failed. */
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: string | null;
}

/** One stretch of a machine in one state class with the same tenant, name and size (lib/metrics/usage); the open one has no end. */
export interface UsageIntervalsTable {
  machine_id: string;
  started_at: Timestamp;
  ended_at: string | null;
  /** running, saved or off */
  state: string;
  tenant: string | null;
  name: string;
  cpus: number;
  memory_mb: number;
  /** The last time Nimbox saw the machine in this interval's state: a change found after a restart is never put before it. */
  seen_at: Timestamp;
}

/** A machine's disks' logical size from `at` on (lib/metrics/usage): written when it changes, read hourly. */
export interface UsageDiskSamplesTable {
  machine_id: string;
  at: Timestamp;
  bytes: number;
}

export type { Generated };

/** 024: console tickets the gateway accepted, until they expire (epoch ms). */
export interface ConsoleTicketsUsedTable {
  jti: string;
  expires_at: number;
}

/** 024: failed sign-ins, one row per key (`u:<username>`, `a:<address>`) and failure, at epoch ms. */
export interface SigninFailuresTable {
  key: string;
  at: number;
}

/** 024: teleporter ports held by teleports under way, by the instance running them. */
export interface TeleportPortsTable {
  host_id: string;
  port: number;
  instance_id: string;
  reserved_at: number;
}

/** 024: small facts of the installation (key `secret_fingerprint`). */
export interface ServerSettingsTable {
  key: string;
  value: string;
}

/** A running Nimbox instance's heartbeat (lib/coord); times are epoch ms of the database's clock. */
export interface CoordInstancesTable {
  /** `<hostname>-<pid>-<random>` */
  id: string;
  hostname: string;
  pid: number;
  started_at: number;
  /** Renewed every second: the instance is alive while this is within 5 s. */
  seen_at: number;
}

/** A named lease held by one instance at a time (lib/coord): `host:<id>`, `ha`, `tasks`, … */
export interface CoordLeasesTable {
  name: string;
  /** The holding instance's id. */
  holder: string;
  /** Epoch ms (database clock) after which another instance may take the lease. */
  expires_at: number;
  acquired_at: number;
}

/** A message too big for a NOTIFY payload (lib/coord): the notification carries its id. */
export interface CoordMessagesTable {
  id: string;
  /** The message's JSON envelope. */
  body: string;
  created_at: number;
}

/** A host's live view as the holder of its lease `host:<id>` last wrote it (lib/cluster/replica): what other instances start from. */
export interface InventorySnapshotsTable {
  host_id: string;
  /** The instance (lib/coord) that wrote it. */
  holder: string;
  /** The HostStatus, as JSON. */
  status: string;
  /** The host's MachineSummary list, as JSON. */
  machines: string;
  /** Epoch ms of the write. */
  updated_at: number;
}

/** A running task's lock key (lib/tasks, migration 023): one row per key, so a key is held by one task across instances. */
export interface TaskLocksTable {
  key: string;
  task_id: string;
  /** The instance running the task (moves with the task when another instance adopts it). */
  instance_id: string;
  /** Epoch ms. */
  created_at: number;
}

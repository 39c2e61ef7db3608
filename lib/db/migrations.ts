import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Schema migrations, applied in key order at start, the same on SQLite and PostgreSQL: portable types only
 * (text; integer below 2^31; bigint for byte sizes and epoch ms; double precision, not real). Types changed
 * in place (issue 19) kept SQLite's affinities, so existing SQLite files need no migration.
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
  '003_tasks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('target_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('host_id', 'text')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('percent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('cancelable', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('locks', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('progress_id', 'text')
        .addColumn('progress_from', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('progress_to', 'integer', (c) => c.notNull().defaultTo(100))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await sql`create index tasks_created on tasks (created_at, id)`.execute(db);
      await sql`create index tasks_status on tasks (status)`.execute(db);
      await sql`create index tasks_target on tasks (target_id, created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('tasks').execute();
    },
  },
  '004_host_settings': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('vrde_ports', 'text', (c) => c.notNull().defaultTo('5900-5999')).execute();
      await db.schema.alterTable('hosts').addColumn('bridge_adapter', 'text', (c) => c.notNull().defaultTo('vbox0')).execute();
      await db.schema.alterTable('hosts').addColumn('maintenance', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const col of ['maintenance', 'bridge_adapter', 'vrde_ports']) await db.schema.alterTable('hosts').dropColumn(col).execute();
    },
  },
  '005_teleport_ports': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('teleport_ports', 'text', (c) => c.notNull().defaultTo('6000-6099')).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').dropColumn('teleport_ports').execute();
    },
  },
  /** Identity (issue 7): users' tenant, the audit log, personal API tokens. */
  '006_identity': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('tenant', 'text').execute();
      await db.schema
        .createTable('audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('tenant', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('detail', 'text')
        .execute();
      await sql`create index audit_at on audit (at, id)`.execute(db);
      await sql`create index audit_user on audit (user_id, at)`.execute(db);
      await sql`create index audit_tenant on audit (tenant, at)`.execute(db);
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await sql`create unique index api_tokens_prefix on api_tokens (prefix)`.execute(db);
      await sql`create index api_tokens_user on api_tokens (user_id, created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_tokens').execute();
      await db.schema.dropTable('audit').execute();
      await db.schema.alterTable('users').dropColumn('tenant').execute();
    },
  },
  /** Tenancy (issue 7): tenants with their quotas, allowed hosts, sign-in realms and teleport right. */
  '007_tenants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('max_machines', 'integer')
        .addColumn('max_vcpus', 'integer')
        .addColumn('max_memory_mb', 'integer')
        .addColumn('max_disk_gb', 'integer')
        .addColumn('allowed_host_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('realms', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('allow_teleport', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('tenants').execute();
    },
  },
  /** Issue 11: how many of a host's vboxwebsrv worker threads Nimbox may hold. */
  '008_host_max_connections': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('max_connections', 'integer', (c) => c.notNull().defaultTo(16)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').dropColumn('max_connections').execute();
    },
  },
  /** Issue 12: quota held by creates and edits in flight, so that parallel requests cannot overrun a tenant's quotas (lib/tenants/reservations). */
  '010_quota_reservations': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('quota_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('machine_id', 'text', (c) => c.notNull())
        .addColumn('machines', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('vcpus', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('memory_mb', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disk_gb', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await sql`create index quota_reservations_tenant on quota_reservations (tenant)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('quota_reservations').execute();
    },
  },
  /** Issue 12: server-side sessions, so a session cookie can be revoked (lib/auth/sessions). */
  '011_sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('realm_checked_at', 'text', (c) => c.notNull())
        .execute();
      await sql`create index sessions_user on sessions (user_id, expires_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sessions').execute();
    },
  },
  /** Issue 12: each machine's tenant as last seen, so that a restarted inventory need not read it from every machine. */
  '012_machine_tenants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('machine_tenants')
        .addColumn('machine_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('machine_tenants').execute();
    },
  },
  /** Issue 13: high availability — hosts' fencing, machines' HA policies, hosts' HA stages and alarms (lib/ha). */
  '013_ha': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('fence_kind', 'text', (c) => c.notNull().defaultTo('manual')).execute();
      await db.schema.alterTable('hosts').addColumn('fence_ipmi_address', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('hosts').addColumn('fence_ipmi_port', 'integer', (c) => c.notNull().defaultTo(623)).execute();
      await db.schema.alterTable('hosts').addColumn('fence_ipmi_username', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('hosts').addColumn('fence_ipmi_password_enc', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('hosts').addColumn('fence_command', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('hosts').addColumn('ha_grace_seconds', 'integer', (c) => c.notNull().defaultTo(60)).execute();
      await db.schema.alterTable('tenants').addColumn('allow_ha', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('ha_policies')
        .addColumn('machine_id', 'text', (c) => c.primaryKey())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('preferred_host_ids', 'text', (c) => c.notNull())
        .addColumn('max_restarts', 'integer', (c) => c.notNull())
        .addColumn('window_minutes', 'integer', (c) => c.notNull())
        .addColumn('settings_file', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_host_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_running', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ha_host_states')
        .addColumn('host_id', 'text', (c) => c.primaryKey())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('fenced_at', 'text')
        .addColumn('fenced_by', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ha_alarms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('machine_id', 'text')
        .addColumn('machine_name', 'text')
        .addColumn('host_ids', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'text')
        .addColumn('acknowledged_by', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('ha_alarms').execute();
      await db.schema.dropTable('ha_host_states').execute();
      await db.schema.dropTable('ha_policies').execute();
      await db.schema.alterTable('tenants').dropColumn('allow_ha').execute();
      for (const c of ['fence_kind', 'fence_ipmi_address', 'fence_ipmi_port', 'fence_ipmi_username', 'fence_ipmi_password_enc', 'fence_command', 'ha_grace_seconds']) {
        await db.schema.alterTable('hosts').dropColumn(c).execute();
      }
    },
  },
  /** Issue 14: where this server mounts each host's storage (ISO uploads), and the uploads under way (lib/media/uploads). */
  '014_media': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('local_storage_path', 'text').execute();
      await db.schema
        .createTable('media_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant', 'text')
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('folder', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('media_uploads').execute();
      await db.schema.alterTable('hosts').dropColumn('local_storage_path').execute();
    },
  },
  /** Issue 14: a medium's task remembers the tenant owning the medium, so that tenant's users see it. */
  '015_task_tenant': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('target_tenant', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').dropColumn('target_tenant').execute();
    },
  },
  /** Issue 15: cluster networks, what each is on every host (and what Nimbox made there), and the networks a tenant may use. */
  '016_networks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('networks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('cidr', 'text')
        .addColumn('dhcp', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('network_hosts')
        .addColumn('network_id', 'text', (c) => c.notNull())
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('made', 'text', (c) => c.notNull().defaultTo(''))
        .addPrimaryKeyConstraint('network_hosts_pk', ['network_id', 'host_id'])
        .execute();
      await db.schema.alterTable('tenants').addColumn('allowed_network_ids', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('tenants').dropColumn('allowed_network_ids').execute();
      await db.schema.dropTable('network_hosts').execute();
      await db.schema.dropTable('networks').execute();
    },
  },
  /** Issue 16: the folders of each host that machines' shared folders may be in (a JSON array of absolute paths). */
  '017_shared_folder_roots': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').addColumn('shared_folder_roots', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('hosts').dropColumn('shared_folder_roots').execute();
    },
  },
  /** Issue 17: the templates (machine ids) an admin shares with a tenant, beside the tenant's own. */
  '018_allowed_template_ids': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tenants').addColumn('allowed_template_ids', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('tenants').dropColumn('allowed_template_ids').execute();
    },
  },
  /** Issue 18: load history of hosts and machines at 5 s, 1 min and 15 min (lib/metrics/history). */
  '019_metric_history': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('metric_samples')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('resolution', 'integer', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('cpu', 'double precision')
        .addColumn('mem_used_mb', 'double precision')
        .addColumn('mem_total_mb', 'double precision')
        .addColumn('net_rx_bps', 'double precision')
        .addColumn('net_tx_bps', 'double precision')
        .addColumn('disk_util', 'double precision')
        .addPrimaryKeyConstraint('metric_samples_pk', ['kind', 'object_id', 'resolution', 'ts'])
        .execute();
      // Roll-ups and pruning work by resolution and time across all objects.
      await sql`create index metric_samples_resolution_ts on metric_samples (resolution, ts)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('metric_samples').execute();
    },
  },
  /** Issue 18: usage accounting (lib/metrics/usage): each machine's intervals by state class, and its disks' logical size. */
  '020_usage': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('usage_intervals')
        .addColumn('machine_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('tenant', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('cpus', 'integer', (c) => c.notNull())
        .addColumn('memory_mb', 'integer', (c) => c.notNull())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_intervals_pk', ['machine_id', 'started_at'])
        .execute();
      // Reports read the intervals that overlap a range: those that end after its start (or not yet).
      await sql`create index usage_intervals_ended on usage_intervals (ended_at, started_at)`.execute(db);
      await db.schema
        .createTable('usage_disk_samples')
        .addColumn('machine_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_disk_samples_pk', ['machine_id', 'at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('usage_disk_samples').execute();
      await db.schema.dropTable('usage_intervals').execute();
    },
  },
  /** Issue 18: webhooks and their deliveries (lib/webhooks). */
  '021_webhooks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await sql`create index webhook_deliveries_due on webhook_deliveries (status, next_attempt_at)`.execute(db);
      await sql`create index webhook_deliveries_hook on webhook_deliveries (webhook_id, created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.dropTable('webhooks').execute();
    },
  },
  // Issue 19 (several instances on PostgreSQL), one key each:
  // 022_coord: instances, leases (lib/coord)
  /** Issue 19: several instances on one PostgreSQL (lib/coord). Times are epoch ms of the DATABASE's clock. */
  '022_coord': {
    async up(db: Kysely<unknown>) {
      // Each running instance's heartbeat: alive while seen_at is recent; rows gone for an hour are removed.
      await db.schema
        .createTable('coord_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      // One row per lease: its holder until expires_at, unless renewed.
      await db.schema
        .createTable('coord_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .execute();
      // Messages too big for NOTIFY's payload (8000 bytes): the notification carries the row's id; old rows are deleted.
      await db.schema
        .createTable('coord_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`create index coord_messages_created on coord_messages (created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('coord_messages').execute();
      await db.schema.dropTable('coord_leases').execute();
      await db.schema.dropTable('coord_instances').execute();
    },
  },
  // 023_task_instances: tasks.instance_id, task_locks (lib/tasks)
  '023_task_instances': {
    async up(db: Kysely<unknown>) {
      // The instance running the task (lib/coord's id); null for rows of older versions (taken up at the next start).
      await db.schema.alterTable('tasks').addColumn('instance_id', 'text').execute();
      // A running task's lock keys, one row each: the primary key is what refuses a second task on any instance.
      await db.schema
        .createTable('task_locks')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`create index task_locks_task on task_locks (task_id)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('task_locks').execute();
      await db.schema.alterTable('tasks').dropColumn('instance_id').execute();
    },
  },
  // 024_shared_state: used console tickets, sign-in failures, quota reservations' instance (lib/console, lib/auth, lib/tenants)
  /** Issue 19: what every instance must see alike (lib/console tickets, lib/auth throttle, lib/tenants reservations, lib/teleport ports, lib/db/secrets). */
  '024_shared_state': {
    async up(db: Kysely<unknown>) {
      // A console ticket's id once the gateway accepted it, until the ticket expires (epoch ms): single use on every instance.
      await db.schema
        .createTable('console_tickets_used')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`create index console_tickets_used_expires on console_tickets_used (expires_at)`.execute(db);
      // One row per failed sign-in per key (`u:<username>`, `a:<address>`), at epoch ms.
      await db.schema
        .createTable('signin_failures')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`create index signin_failures_key_at on signin_failures (key, at)`.execute(db);
      await sql`create index signin_failures_at on signin_failures (at)`.execute(db);
      // The instance (lib/coord) whose job holds a reservation: only its own stale rows, or a dead instance's, are dropped.
      await db.schema.alterTable('quota_reservations').addColumn('instance_id', 'text').execute();
      // Teleporter ports handed to teleports under way, by the instance running them.
      await db.schema
        .createTable('teleport_ports')
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('reserved_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('teleport_ports_pk', ['host_id', 'port'])
        .execute();
      // Small facts of the installation (the server secret's fingerprint).
      await db.schema
        .createTable('server_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('server_settings').execute();
      await db.schema.dropTable('teleport_ports').execute();
      await db.schema.alterTable('quota_reservations').dropColumn('instance_id').execute();
      await db.schema.dropTable('signin_failures').execute();
      await db.schema.dropTable('console_tickets_used').execute();
    },
  },
  // 025_inventory_snapshots: each host's last known machines, for instances not holding its lease (lib/cluster)
  /** Issue 19: each host's live view as its lease holder last wrote it, loaded by the other instances' replicas (lib/cluster). */
  '025_inventory_snapshots': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('inventory_snapshots')
        .addColumn('host_id', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('machines', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('inventory_snapshots').execute();
    },
  },
  /** Issue 20: local users' lifecycle (disabled, must change password), two-factor sign-in (TOTP, recovery codes), language. */
  '026_people': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('password_changed_at', 'text').execute();
      // 'en' or 'de'; null: the browser's language.
      await db.schema.alterTable('users').addColumn('locale', 'text').execute();
      // The TOTP secret, encrypted (lib/db/secrets); enabled once a first code proved the authenticator has it.
      await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
      await db.schema.alterTable('users').addColumn('totp_enabled_at', 'text').execute();
      // The last 30-second step a code was accepted for: a code is good once.
      await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
      await db.schema
        .createTable('recovery_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await sql`create index recovery_codes_user on recovery_codes (user_id)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('recovery_codes').execute();
      for (const c of ['totp_last_step', 'totp_enabled_at', 'totp_secret', 'locale', 'password_changed_at', 'must_change_password', 'disabled']) {
        await db.schema.alterTable('users').dropColumn(c).execute();
      }
    },
  },
  /** Issue 20: a task's title and message (and an HA alarm's message) as catalog keys + values beside the English, so the UI shows them in the reader's language. */
  '027_task_i18n': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('title_i18n', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('message_i18n', 'text').execute();
      // HA alarms' messages likewise (namespace `serverText`).
      await db.schema.alterTable('ha_alarms').addColumn('message_i18n', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('ha_alarms').dropColumn('message_i18n').execute();
      await db.schema.alterTable('tasks').dropColumn('message_i18n').execute();
      await db.schema.alterTable('tasks').dropColumn('title_i18n').execute();
    },
  },
};

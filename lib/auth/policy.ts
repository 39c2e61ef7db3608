/**
 * The one policy function: every route and page asks it whether the caller may act.
 *
 * - admin: everything, cluster-wide.
 * - operator (of a tenant): create, change, power, snapshot, delete and open the console of
 *   the tenant's own machines, teleport them when the tenant allows teleport, and set their
 *   HA policy when the tenant allows HA.
 * - viewer (of a tenant): read the tenant's own machines and watch their screens (console:view).
 * - the HA page (ha:read): everyone signed in, its routes filter to the caller's tenant.
 * - cluster networks (network:read): viewers and up, filtered by their routes to the tenant's allowed networks;
 *   network:write: admins only.
 * - hosts (writes, maintenance), HA's admin acts (ha:write), tenants and the audit log: admins only.
 * - a host's USB devices for a machine (vm:usb): admins only; a tenant's own machine is 403, another's 404.
 * A non-admin without a tenant sees no machine. Another tenant's machine is hidden, not
 * refused: `hidden()` tells route() to answer 404 rather than 403.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a stored string is a known role (anything else is refused, never guessed). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The realm of the principal a Prometheus scrape token stands for (lib/metrics): it may only read /metrics. */
export const SCRAPE_REALM = 'scrape';

export interface User {
  id: string;
  username: string;
  realm: string;
  role: Role;
  tenant?: string | null;
}

export type Action =
  | 'cluster:read'
  | 'host:read'
  | 'host:write'
  | 'vm:read'
  | 'vm:write'
  /** Start, stop, pause, reset, save or discard the state of a machine. */
  | 'vm:power'
  /** Create a machine (POST /api/v1/vms). */
  | 'vm:create'
  /** Change a machine's settings (those VirtualBox allows while running, also then). */
  | 'vm:edit'
  /** See a host's USB devices and attach them to a running machine, or detach them: admins (a host's hardware is not a tenant's). */
  | 'vm:usb'
  /** Unregister a machine, optionally with its disks. */
  | 'vm:delete'
  /** Take, restore or delete snapshots. */
  | 'snapshot:write'
  /** Teleport (live-migrate) a running machine to another host, and read its preflight. */
  | 'vm:teleport'
  /** Put a host in maintenance or take it out, and drain it (teleport its running machines away). */
  | 'host:maintenance'
  /** Set a machine's HA policy (PUT /api/v1/vms/:id/ha): admins, and the tenant's operators when the tenant allows HA. */
  | 'vm:ha'
  /** Read the HA page (hosts' HA stages, protected machines, alarms, events): everyone signed in; routes filter to the tenant. */
  | 'ha:read'
  /** Confirm that a host is powered off (manual fencing) and acknowledge HA alarms: admins. */
  | 'ha:write'
  /**
   * Read media (the media manager, the storage browser): admins everything; a tenant's users their
   * tenant's folder and the ISO library. The resource is the medium's or folder's owner tenant.
   */
  | 'media:read'
  /** Create, resize, copy, compact, retype, delete and upload media in the tenant's folder (operators); the ISO library: admins. */
  | 'media:write'
  | 'task:read'
  | 'task:cancel'
  /** Use a machine's console: keyboard, pointer and clipboard (a ticket for the VNC gateway). */
  | 'console:open'
  /** Watch a machine's screen without input: previews, view-only consoles and embed links. */
  | 'console:view'
  | 'events:read'
  /** Read one's own account (GET /api/v1/me): every signed-in user. */
  | 'account:read'
  /** Create, list and revoke one's own API tokens: every signed-in user (a token only carries its user's rights). */
  | 'account:token'
  /** List one's own sessions and sign out everywhere: every signed-in user. */
  | 'account:session'
  /** Sign another user out everywhere (revoke their sessions): admins. */
  | 'user:session'
  /** List and read users (admins). */
  | 'user:read'
  /** Create, change (role, tenant), disable, delete users and reset their passwords; set which roles need two-factor sign-in (admins). */
  | 'user:write'
  /** Change one's own password, language and two-factor sign-in: every signed-in user. */
  | 'account:write'
  /** Read the API reference (GET /api/v1/openapi.json): every signed-in user. */
  | 'api:read'
  /** List and read tenants (admins). */
  | 'tenant:read'
  /** Create, change and delete tenants; move machines between tenants (admins). */
  | 'tenant:write'
  /** Query and export the audit log (admins). */
  | 'audit:read'
  /** Read cluster networks: viewers and up; a tenant's users see only the networks their tenant may use, without per-host detail. */
  | 'network:read'
  /** Create, change, apply and delete cluster networks (admins). */
  | 'network:write'
  /** Scrape GET /metrics (Prometheus): admins, and the scrape token's principal (lib/metrics), which may do nothing else. */
  | 'metrics:read'
  /** Read usage (hours by state, vCPU-, GiB- and disk-hours): admins all tenants; a tenant's users their own tenant's (resource: the tenant). */
  | 'usage:read'
  /** List, create, change, test and delete webhooks, and read their deliveries (admins). */
  | 'webhook:write';

export interface Resource {
  /** The machine's tenant (extradata nimbox/tenant), when the action targets a machine (or a task on one). */
  tenant?: string | null;
  /** Whether the target's tenant allows its operators to teleport (lib/tenants). */
  allowTeleport?: boolean;
  /** Whether the target's tenant allows its operators to set its machines' HA policy (lib/tenants). */
  allowHa?: boolean;
}

/** Actions on one machine (or its tasks) that a tenant's users may get for their own tenant's machines. */
const VIEWER_ACTIONS: ReadonlySet<Action> = new Set<Action>(['cluster:read', 'host:read', 'vm:read', 'console:view', 'task:read', 'events:read', 'ha:read', 'media:read', 'network:read', 'usage:read']);
const OPERATOR_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  ...VIEWER_ACTIONS, 'vm:write', 'vm:power', 'vm:create', 'vm:edit', 'vm:delete', 'snapshot:write', 'console:open', 'task:cancel', 'vm:teleport', 'vm:ha', 'media:write',
]);

export function can(user: User | null | undefined, action: Action, resource?: Resource): boolean {
  if (!user) return false;
  // The Prometheus scrape principal (realm 'scrape', lib/metrics): /metrics and nothing else.
  if (user.realm === SCRAPE_REALM) return action === 'metrics:read';
  if (user.role === 'admin') return true;
  if (action === 'account:token' || action === 'account:read' || action === 'account:session' || action === 'account:write' || action === 'api:read') return true;
  if (!(user.role === 'operator' ? OPERATOR_ACTIONS : VIEWER_ACTIONS).has(action)) return false;
  // Cluster-wide reads: hosts' status, and list routes that filter to the caller's tenant.
  if (action === 'cluster:read' || action === 'host:read') return true;
  // The HA page as a whole (filtered by its routes); HA facts of one machine follow its tenant, below.
  if (action === 'ha:read' && !resource) return true;
  if (!user.tenant) return false;
  if (!resource) {
    // No target (yet): lists filtered to the caller's tenant, and creating a machine in it.
    return action === 'vm:read' || action === 'task:read' || action === 'events:read' || action === 'vm:create'
      || action === 'media:read' || action === 'media:write' || action === 'network:read' || action === 'usage:read';
  }
  if (resource.tenant !== user.tenant) return false;
  if (action === 'vm:teleport') return resource.allowTeleport === true;
  if (action === 'vm:ha') return resource.allowHa === true;
  return true;
}

/**
 * Whether the target must look absent to the caller (404, not 403): for a tenant's user, a machine
 * (or task) of another tenant or of none, so ids do not tell what exists. Admins see everything; a
 * non-admin without a tenant is simply refused (403) everything on machines.
 */
export function hidden(user: User, resource: Resource | undefined): boolean {
  if (!resource || user.role === 'admin' || !user.tenant) return false;
  return resource.tenant !== user.tenant;
}

/** The tenant a caller's lists are limited to: undefined for admins (everything), null for a non-admin without a tenant (nothing). */
export function tenantScope(user: User): string | null | undefined {
  return user.role === 'admin' ? undefined : (user.tenant ?? null);
}

/** Whether a list row of `tenant` (started by user `ownerId`, for tasks) shows to the caller: their tenant's, or their own. */
export function sees(user: User, tenant: string | null | undefined, ownerId?: string): boolean {
  const scope = tenantScope(user);
  return scope === undefined || (scope !== null && (tenant === scope || ownerId === user.id));
}

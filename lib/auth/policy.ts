/**
 * The one policy function: every route and page asks it whether the caller may act.
 * Roles grow with tenancy (issue 7); for now an admin may do everything and any
 * other signed-in user may only read.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a stored string is a known role (anything else is refused, never guessed). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

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
  /** Change a powered-off machine's settings. */
  | 'vm:edit'
  /** Unregister a machine, optionally with its disks. */
  | 'vm:delete'
  /** Take, restore or delete snapshots. */
  | 'snapshot:write'
  /** Teleport (live-migrate) a running machine to another host, and read its preflight. */
  | 'vm:teleport'
  /** Put a host in maintenance or take it out, and drain it (teleport its running machines away). */
  | 'host:maintenance'
  | 'task:read'
  | 'task:cancel'
  /** Open a machine's console (a ticket for the VNC gateway): admins for now. */
  | 'console:open'
  /** See a machine's screen without input (screenshot previews): admins for now. */
  | 'console:view'
  | 'events:read';

export interface Resource {
  /** The machine's tenant (extradata nimbox/tenant), when the action targets a machine. */
  tenant?: string | null;
}

export function can(user: User | null | undefined, action: Action, _resource?: Resource): boolean {
  if (!user) return false;
  if (user.role === 'admin') return true;
  return action.endsWith(':read');
}

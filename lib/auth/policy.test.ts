import { describe, expect, it } from 'vitest';
import { SCRAPE_REALM, can, hidden, isRole, sees, tenantScope, type Action, type Resource, type Role, type User } from './policy';

const user = (role: Role, tenant: string | null = 'blue'): User => ({ id: `${role}-${tenant}`, username: role, realm: 'local', role, tenant });

/** Every action, spelled out. */
const MACHINE_READS: Action[] = ['vm:read', 'console:view', 'task:read', 'events:read'];
const MACHINE_WRITES: Action[] = ['vm:write', 'vm:power', 'vm:edit', 'vm:delete', 'snapshot:write', 'console:open', 'task:cancel'];
const CLUSTER_READS: Action[] = ['cluster:read', 'host:read', 'ha:read'];
const ADMIN_ONLY: Action[] = ['host:write', 'host:maintenance', 'ha:write', 'tenant:read', 'tenant:write', 'audit:read', 'metrics:read', 'webhook:write'];
const ACCOUNT: Action[] = ['account:read', 'account:token', 'account:write', 'api:read'];
const ALL: Action[] = [...MACHINE_READS, ...MACHINE_WRITES, 'vm:create', 'vm:teleport', 'vm:ha', ...CLUSTER_READS, ...ADMIN_ONLY, ...ACCOUNT];

const own: Resource = { tenant: 'blue', allowTeleport: false };
const ownTeleport: Resource = { tenant: 'blue', allowTeleport: true };
const other: Resource = { tenant: 'red', allowTeleport: true, allowHa: true };
const ownHa: Resource = { tenant: 'blue', allowHa: true };
const none: Resource = { tenant: null };

describe('can()', () => {
  it('refuses anonymous callers everything', () => {
    for (const a of ALL) for (const r of [undefined, own, other]) expect(can(null, a, r), a).toBe(false);
  });

  it('lets admins do everything, on any tenant and on machines of none', () => {
    for (const a of ALL) for (const r of [undefined, own, other, none]) expect(can(user('admin', null), a, r), a).toBe(true);
  });

  it('lets an operator act on its own tenant\'s machines only; teleport only when the tenant allows it', () => {
    const op = user('operator');
    for (const a of [...MACHINE_READS, ...MACHINE_WRITES]) {
      expect(can(op, a, own), `${a} own`).toBe(true);
      expect(can(op, a, other), `${a} other`).toBe(false);
      expect(can(op, a, none), `${a} none`).toBe(false);
    }
    expect(can(op, 'vm:teleport', own)).toBe(false);
    expect(can(op, 'vm:teleport', ownTeleport)).toBe(true);
    expect(can(op, 'vm:teleport', other)).toBe(false);
    expect(can(op, 'vm:teleport')).toBe(false);
    expect(can(op, 'vm:create')).toBe(true);
    expect(can(op, 'vm:create', own)).toBe(true);
    expect(can(op, 'vm:create', other)).toBe(false);
  });

  it('lets a viewer read and watch its own tenant\'s machines, nothing more', () => {
    const v = user('viewer');
    for (const a of MACHINE_READS) {
      expect(can(v, a, own), a).toBe(true);
      expect(can(v, a, other), a).toBe(false);
    }
    for (const a of [...MACHINE_WRITES, 'vm:create', 'vm:teleport', 'vm:ha'] as Action[]) {
      expect(can(v, a, ownTeleport), a).toBe(false);
      expect(can(v, a, ownHa), a).toBe(false);
      expect(can(v, a), a).toBe(false);
    }
  });

  it('keeps hosts, tenants and the audit log to admins; accounts and cluster reads to everyone signed in', () => {
    for (const role of ['operator', 'viewer'] as Role[]) {
      for (const tenant of ['blue', null]) {
        for (const a of ADMIN_ONLY) for (const r of [undefined, own]) expect(can(user(role, tenant), a, r), `${role} ${a}`).toBe(false);
        for (const a of [...ACCOUNT, ...CLUSTER_READS]) expect(can(user(role, tenant), a), `${role} ${a}`).toBe(true);
      }
    }
  });

  it('gives a non-admin without a tenant no machine at all', () => {
    for (const role of ['operator', 'viewer'] as Role[]) {
      const u = user(role, null);
      for (const a of [...MACHINE_READS, ...MACHINE_WRITES, 'vm:create', 'vm:teleport', 'vm:ha'] as Action[]) {
        for (const r of [undefined, own, ownHa, none]) expect(can(u, a, r), `${role} ${a}`).toBe(false);
      }
    }
  });

  it('lets an operator set HA policies of its own tenant\'s machines only when the tenant allows HA; viewers never', () => {
    const op = user('operator');
    expect(can(op, 'vm:ha', ownHa)).toBe(true);
    // The tenant does not allow it (false or not looked up): refused, even though the machine is the operator's.
    expect(can(op, 'vm:ha', own)).toBe(false);
    expect(can(op, 'vm:ha', { tenant: 'blue' })).toBe(false);
    expect(can(op, 'vm:ha', ownTeleport)).toBe(false);
    // Another tenant's machine, even one whose tenant allows HA, and a machine of no tenant: refused and hidden (404).
    expect(can(op, 'vm:ha', other)).toBe(false);
    expect(hidden(op, other)).toBe(true);
    expect(can(op, 'vm:ha', { tenant: null, allowHa: true })).toBe(false);
    expect(hidden(op, { tenant: null, allowHa: true })).toBe(true);
    // No target: nothing to set a policy on.
    expect(can(op, 'vm:ha')).toBe(false);
    expect(can(user('viewer'), 'vm:ha', ownHa)).toBe(false);
    expect(can(user('operator', null), 'vm:ha', ownHa)).toBe(false);
    expect(can(user('admin', null), 'vm:ha', own)).toBe(true);
    expect(can(user('admin', null), 'vm:ha', none)).toBe(true);
  });

  it('shows the HA page to everyone signed in, one machine\'s HA only to its tenant; HA\'s admin acts to admins', () => {
    for (const u of [user('viewer'), user('operator'), user('viewer', null), user('operator', null), user('admin', null)]) {
      expect(can(u, 'ha:read'), `${u.role} ${u.tenant}`).toBe(true);
    }
    expect(can(null, 'ha:read')).toBe(false);
    expect(can(user('viewer'), 'ha:read', own)).toBe(true);
    expect(can(user('viewer'), 'ha:read', other)).toBe(false);
    expect(can(user('operator'), 'ha:read', none)).toBe(false);
    expect(can(user('viewer', null), 'ha:read', own)).toBe(false);
    // Confirming a host is off lets HA restart its machines elsewhere: never a tenant's call, whatever it allows.
    for (const u of [user('operator'), user('viewer'), user('operator', null)]) {
      for (const r of [undefined, own, ownHa, ownTeleport, other, none]) expect(can(u, 'ha:write', r), `${u.role} ha:write`).toBe(false);
    }
    expect(can(user('admin', null), 'ha:write')).toBe(true);
  });

  it('hides another tenant\'s machines (404) from tenant users; refuses (403) what they may see but not do', () => {
    expect(hidden(user('viewer'), other)).toBe(true);
    expect(hidden(user('viewer'), none)).toBe(true);
    expect(hidden(user('viewer'), own)).toBe(false);
    expect(hidden(user('operator', null), other)).toBe(false);
    expect(hidden(user('admin', null), other)).toBe(false);
    expect(hidden(user('viewer'), undefined)).toBe(false);
  });

  it('scopes lists to the caller\'s tenant', () => {
    expect(tenantScope(user('admin', 'blue'))).toBeUndefined();
    expect(tenantScope(user('viewer'))).toBe('blue');
    expect(tenantScope(user('viewer', null))).toBeNull();
    expect(sees(user('admin', null), 'red')).toBe(true);
    expect(sees(user('viewer'), 'blue')).toBe(true);
    expect(sees(user('viewer'), 'red')).toBe(false);
    expect(sees(user('viewer'), null)).toBe(false);
    expect(sees(user('viewer', null), null)).toBe(false);
    expect(sees(user('operator'), 'red', 'operator-blue')).toBe(true);
  });

  it('lets a tenant\'s users read their own tenant\'s usage only; the scrape principal reads /metrics and nothing else', () => {
    for (const role of ['viewer', 'operator'] as const) {
      expect(can(user(role), 'usage:read'), role).toBe(true);
      expect(can(user(role), 'usage:read', own), role).toBe(true);
      expect(can(user(role), 'usage:read', other), role).toBe(false);
      expect(can(user(role, null), 'usage:read'), role).toBe(false);
    }
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const scrape: User = { id: 'scrape', username: 'prometheus', realm: SCRAPE_REALM, role, tenant: null };
      for (const a of [...ALL, 'usage:read' as const]) expect(can(scrape, a, undefined), a).toBe(a === 'metrics:read');
    }
  });

  it('knows its roles and refuses anything else', () => {
    expect(['admin', 'operator', 'viewer'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('Admin')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});

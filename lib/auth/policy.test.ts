import { describe, expect, it } from 'vitest';
import { can, isRole, type Action, type Role, type User } from './policy';

const user = (role: Role): User => ({ id: role, username: role, realm: 'local', role });
const ACTIONS: Action[] = ['cluster:read', 'host:read', 'host:write', 'vm:read', 'vm:write', 'events:read'];

describe('can()', () => {
  const table: Record<Role | 'anonymous', Record<Action, boolean>> = {
    anonymous: { 'cluster:read': false, 'host:read': false, 'host:write': false, 'vm:read': false, 'vm:write': false, 'events:read': false },
    viewer: { 'cluster:read': true, 'host:read': true, 'host:write': false, 'vm:read': true, 'vm:write': false, 'events:read': true },
    operator: { 'cluster:read': true, 'host:read': true, 'host:write': false, 'vm:read': true, 'vm:write': false, 'events:read': true },
    admin: { 'cluster:read': true, 'host:read': true, 'host:write': true, 'vm:read': true, 'vm:write': true, 'events:read': true },
  };

  for (const [who, row] of Object.entries(table)) {
    for (const action of ACTIONS) {
      it(`${who} ${row[action] ? 'may' : 'may not'} ${action}`, () => {
        const u = who === 'anonymous' ? null : user(who as Role);
        expect(can(u, action)).toBe(row[action]);
      });
    }
  }

  it('knows its roles and refuses anything else', () => {
    expect(['admin', 'operator', 'viewer'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('Admin')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { can, isRole, type Action, type Role, type User } from './policy';

const user = (role: Role): User => ({ id: role, username: role, realm: 'local', role });
/** Every action, spelled out: reads any signed-in user may do, and the rest (admins only for now). */
const READS: Action[] = ['cluster:read', 'host:read', 'vm:read', 'task:read', 'events:read'];
const WRITES: Action[] = ['host:write', 'vm:write', 'vm:power', 'vm:create', 'vm:edit', 'vm:delete', 'snapshot:write', 'vm:teleport', 'host:maintenance', 'task:cancel'];
const ACTIONS: Action[] = [...READS, ...WRITES];
const only = (allowed: Action[]) => Object.fromEntries(ACTIONS.map((a) => [a, allowed.includes(a)])) as Record<Action, boolean>;

describe('can()', () => {
  const table: Record<Role | 'anonymous', Record<Action, boolean>> = {
    anonymous: only([]),
    viewer: only(READS),
    operator: only(READS),
    admin: only(ACTIONS),
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

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import { createLocalUser } from '../users';
import { tempDb } from '../testing';
import { parseMapping } from './external';
import { localRealm } from './local';
import { realms } from './index';
import { isPamUsername, pamAvailable, pamRealm, unixGroups } from './pam';
import { signIn } from './signin';
import { RealmRefusal } from './types';

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-pam-'));
});
afterAll(() => cleanup());

const mapping = { roles: parseMapping('nimbox-admins=admin,nimbox-ops=operator', 'role'), tenants: parseMapping('team-blue=blue', 'tenant') };

describe('PAM realm (binding replaced)', () => {
  const seen: string[] = [];
  const realm = pamRealm({
    service: 'nimbox-fake',
    mapping,
    db: async () => db,
    authenticate: async (u, p, service) => (seen.push(`${service}:${u}`), p === `${u}-pw`),
    groupsOf: async (u) => ({ ada: ['ada', 'nimbox-admins', 'team-blue'], oli: ['oli', 'nimbox-ops'], tia: ['tia', 'team-blue'], nog: ['nog', 'users'] })[u] ?? [],
  });

  it('maps unix groups to role and tenant, and upserts the user', async () => {
    const ada = await realm.authenticate('ada', 'ada-pw');
    expect(ada).toMatchObject({ username: 'ada', realm: 'pam', role: 'admin', tenant: 'blue' });
    expect(await realm.authenticate('oli', 'oli-pw')).toMatchObject({ role: 'operator', tenant: null });
    expect(await realm.authenticate('tia', 'tia-pw')).toMatchObject({ role: 'viewer', tenant: 'blue' });
    expect((await realm.authenticate('ada', 'ada-pw'))?.id).toBe(ada!.id);
    expect(seen).toContain('nimbox-fake:ada');
  });

  it('refuses users in no mapped group, and wrong passwords', async () => {
    await expect(realm.authenticate('nog', 'nog-pw')).rejects.toBeInstanceOf(RealmRefusal);
    expect(await realm.authenticate('ada', 'wrong')).toBeNull();
  });

  it('never hands PAM (or `id`) a name that is no unix user name, root, or a password it would cut', async () => {
    seen.length = 0;
    for (const name of ['-G', '--help', 'root', 'a b', 'x;id', '$(id)', '../etc', '.', '..', 'a'.repeat(33), '', 'ada\0', 'ädä']) {
      expect(await realm.authenticate(name, `${name}-pw`), JSON.stringify(name)).toBeNull();
    }
    expect(await realm.authenticate('ada', '')).toBeNull();
    expect(await realm.authenticate('ada', 'ada-pw\0more')).toBeNull();
    expect(await realm.authenticate('ada', 'x'.repeat(128))).toBeNull();
    expect(seen).toEqual([]);
    expect(isPamUsername('deploy.bot-1')).toBe(true);
    await expect(unixGroups('-G')).rejects.toThrow(/invalid user name/);
  });

  it('is configured by NIMBOX_PAM*, and left out (with a reason on stderr) when its mapping is wrong', () => {
    expect(realms({}).map((r) => r.name)).toEqual(['local']);
    expect(realms({ NIMBOX_PAM: '1' }).map((r) => r.name)).toEqual(['local', 'pam']);
    expect(realms({ NIMBOX_PAM: '1', NIMBOX_PAM_GROUP_ROLES: 'nimbox-admins=root' }).map((r) => r.name)).toEqual(['local']);
    expect(realms({ NIMBOX_PAM: '1', NIMBOX_PAM_GROUP_TENANTS: 'team-blue' }).map((r) => r.name)).toEqual(['local']);
    expect(realms({ NIMBOX_PAM: '1', NIMBOX_PAM_SERVICE: '../shadow' }).map((r) => r.name)).toEqual(['local']);
    expect(() => parseMapping('a=admin,b=operator, c = viewer ', 'role')).not.toThrow();
    expect(parseMapping('a=admin, c = viewer ,', 'role')).toEqual({ a: 'admin', c: 'viewer' });
  });
});

describe('PAM realm without its binding (npm install without libpam0g-dev)', () => {
  // A binding name that is not installed: Node's require really fails, as on a machine without PAM's headers.
  const missing = `authenticate-pam-missing-${crypto.randomBytes(4).toString('hex')}`;
  const said: string[] = [];
  const pam = () => pamRealm({ service: 'login', mapping, db: async () => db, binding: missing, complain: (m) => said.push(m) });

  it('says so once when the realm is set up (at start), with what to install', () => {
    pam();
    pam();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`NIMBOX_PAM is on, but the PAM binding \\(npm package ${missing}\\) is not installed`));
    expect(said[0]).toMatch(/libpam0g-dev/);
    expect(said[0]).toMatch(/other realms work/);
  });

  it('fails PAM sign-ins with that reason in the audit log, and the other realms work', async () => {
    const admin = await createLocalUser(db, { username: 'pam-less-admin', password: 'local-pw', role: 'admin' });
    const opts = { address: '192.0.2.7', db, realms: [localRealm(async () => db), pam()] };
    expect(await signIn({ username: 'ada', password: 'ada-pw', realm: 'pam' }, opts)).toBeNull();
    const [row] = await listAudit({ action: 'signin' }, db);
    expect(row).toMatchObject({ username: 'ada', target: 'pam', result: 'failure' });
    expect(row.detail).toMatch(/^realm error: NIMBOX_PAM is on, but the PAM binding .* is not installed/);
    expect(await signIn({ username: 'pam-less-admin', password: 'local-pw', realm: 'local' }, opts)).toMatchObject({ id: admin!.id, realm: 'local' });
  });
});

/*
 * The real thing: a system user with a password, in groups, checked by a PAM service
 * file using pam_unix, through the native binding. Needs root (useradd, /etc/pam.d,
 * reading /etc/shadow); CI runs as root.
 */
const isRoot = process.getuid?.() === 0;
const reason = !isRoot ? 'not running as root' : !pamAvailable() ? 'the authenticate-pam binding did not load' : !fs.existsSync('/etc/pam.d') ? 'no /etc/pam.d' : null;
if (reason) console.warn(`PAM tests with a real system user skipped: ${reason}`);

describe.skipIf(reason)('PAM realm with a real system user', () => {
  const suffix = crypto.randomBytes(3).toString('hex');
  const user = `nbxt${suffix}`;
  const outsider = `nbxo${suffix}`;
  const adminGroup = `nbxadm${suffix}`;
  const tenantGroup = `nbxten${suffix}`;
  const password = `P4ss ${crypto.randomBytes(6).toString('base64url')}!`;
  const service = `nimbox-test-${suffix}`;
  const serviceFile = `/etc/pam.d/${service}`;

  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', input });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  };

  beforeAll(() => {
    run('groupadd', [adminGroup]);
    run('groupadd', [tenantGroup]);
    run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', `${adminGroup},${tenantGroup}`, user]);
    run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', outsider]);
    run('chpasswd', [], `${user}:${password}\n${outsider}:${password}\n`);
    fs.writeFileSync(serviceFile, 'auth required pam_unix.so\naccount required pam_unix.so\n');
  });
  afterAll(() => {
    fs.rmSync(serviceFile, { force: true });
    for (const u of [user, outsider]) spawnSync('userdel', [u]);
    for (const g of [adminGroup, tenantGroup]) spawnSync('groupdel', [g]);
  });

  const realm = () =>
    pamRealm({ service, mapping: { roles: { [adminGroup]: 'admin' }, tenants: { [tenantGroup]: 'blue' } }, db: async () => db });

  it('reads the user\'s unix groups with id -Gn', async () => {
    expect(await unixGroups(user)).toEqual(expect.arrayContaining([adminGroup, tenantGroup]));
  });

  it('authenticates through PAM: right password in, wrong password and unknown user out', async () => {
    expect(await realm().authenticate(user, password, { address: '127.0.0.1' })).toMatchObject({ username: user, realm: 'pam', role: 'admin', tenant: 'blue' });
    expect(await realm().authenticate(user, `${password}x`)).toBeNull();
    expect(await realm().authenticate(`nbxnobody${suffix}`, password)).toBeNull();
  });

  it('refuses a real user with the right password when no group of theirs is mapped', async () => {
    await expect(realm().authenticate(outsider, password)).rejects.toBeInstanceOf(RealmRefusal);
  });
});

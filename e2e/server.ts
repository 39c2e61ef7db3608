// The stack the Playwright tests run against: a fresh data folder, vboxsim on free
// ports, an OpenLDAP slapd with a tenant user, and Nimbox on E2E_PORT with a known
// admin password, the LDAP directory, a tenant `blue` owning two machines, and (as root)
// the PAM realm with a system user in a group mapped to admin. Beside it, VirtualBox's own
// vboxwebsrv (when it runs here), left unregistered for real-vbox.spec.ts to add as a host.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pamAvailable } from '../lib/auth/realms/pam';
import { slapdMissing, ssha, startSlapd, type Slapd } from '../lib/auth/realms/slapd-harness';
import { openDb } from '../lib/db';
import { createTenant } from '../lib/tenants';
import { VBoxClient } from '../lib/vbox/client';
import { withLockedMachine } from '../lib/vbox/session';
import { startWebsrv, websrvMissing } from '../lib/vbox/websrv-harness';
import { createTestDatabase, ensureTestPostgres } from '../lib/db/pg-testing';
import { dbLocation, startStack } from '../scripts/stack';
import { E2E_IDENTITY_FILE, type E2EIdentity } from './identity';
import { ADMIN_PASSWORD, PORTAL_ORIGIN, REAL_VBOX_FILE, SIM_HOSTS_FILE, type RealVBox } from './helpers';


/** The machines of tenant `blue` (extradata nimbox/tenant=blue); the others belong to no tenant. */
const BLUE_MACHINES = ['build-a4', 'cache-b3'];
const SUFFIX = 'dc=nimbox,dc=e2e';
const LDAP_USER = { username: 'bluey', password: 'bluey-Passw0rd' };
const PAM_USER = 'nbxe2eadmin';
const PAM_GROUP = 'nimbox-e2e-admins';
const PAM_SERVICE = 'nimbox-e2e';
const PAM_SERVICE_FILE = `/etc/pam.d/${PAM_SERVICE}`;
const PAM_PASSWORD = 'e2e-Pam-passw0rd';

// This site, and the portal of embed-link.spec.ts, may frame the embeddable console.
const env: Record<string, string> = { NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD, NIMBOX_FRAME_ANCESTORS: `'self' ${PORTAL_ORIGIN}` };
const identity: E2EIdentity = { blueMachines: BLUE_MACHINES, ldap: null, pam: null };

// What the set-up made, undone last first on SIGTERM (Playwright's shutdown) or when a later step fails.
const undo: (() => unknown)[] = [];
async function cleanUp(): Promise<void> {
  for (let f = undo.pop(); f; f = undo.pop()) {
    try {
      await f();
    } catch (e) {
      console.error('e2e: clean-up step failed', e);
    }
  }
}
/** Runs a step of the set-up; when it fails, what the earlier steps made goes before the error does. */
async function step<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await cleanUp();
    throw e;
  }
}
const stop = () => void cleanUp().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// VirtualBox's own vboxwebsrv (auth null), not registered: real-vbox.spec.ts adds it as a host, with
// a folder of this machine as its storage path (where new disks go).
let realVBox: RealVBox;
const websrvReason = websrvMissing();
if (websrvReason) {
  realVBox = { skipped: websrvReason };
  console.warn(`e2e: no real vboxwebsrv: ${websrvReason}`);
} else {
  const websrv = await step(() => startWebsrv());
  const vboxStorage = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-e2e-vbox-storage-'));
  undo.push(async () => {
    await websrv.stop();
    fs.rmSync(vboxStorage, { recursive: true, force: true });
  });
  // New machines need a bridged interface this host really has (vboxsim's vbox0 is not one).
  const bridge = /^Name:\s+(\S+)/m.exec(await step(() => websrv.vboxManage('list', 'bridgedifs')))?.[1];
  if (bridge) realVBox = { url: websrv.url, storagePath: vboxStorage, bridgeAdapter: bridge };
  else {
    realVBox = { skipped: 'the real vboxwebsrv lists no bridged interface' };
    console.warn(`e2e: ${realVBox.skipped}`);
  }
}

// LDAP: one directory, one user in the group mapped to tenant blue.
let slapd: Slapd | undefined;
const missing = slapdMissing();
if (missing) {
  identity.ldapSkipped = missing;
  console.warn(`e2e: no LDAP directory: ${missing}`);
} else {
  const entry = (dn: string, ...lines: string[]) => [`dn: ${dn}`, ...lines, ''].join('\n');
  slapd = await step(() => startSlapd({
    suffix: SUFFIX,
    ldif: [
      entry(SUFFIX, 'objectClass: dcObject', 'objectClass: organization', 'dc: nimbox', 'o: Nimbox e2e'),
      ...['people', 'groups', 'services'].map((ou) => entry(`ou=${ou},${SUFFIX}`, 'objectClass: organizationalUnit', `ou: ${ou}`)),
      entry(`cn=nimbox-svc,ou=services,${SUFFIX}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: nimbox-svc', `userPassword: ${ssha('svc-password')}`),
      entry(`uid=${LDAP_USER.username},ou=people,${SUFFIX}`, 'objectClass: inetOrgPerson', `uid: ${LDAP_USER.username}`, `cn: ${LDAP_USER.username}`, 'sn: Blue', `userPassword: ${ssha(LDAP_USER.password)}`),
      entry(`cn=team-blue,ou=groups,${SUFFIX}`, 'objectClass: groupOfNames', 'cn: team-blue', `member: uid=${LDAP_USER.username},ou=people,${SUFFIX}`),
    ].join('\n'),
  }));
  undo.push(() => slapd?.stop());
  env.NIMBOX_LDAP = JSON.stringify([
    {
      name: 'corp',
      label: 'Corporate directory',
      url: slapd.url,
      bindDN: `cn=nimbox-svc,ou=services,${SUFFIX}`,
      bindPassword: 'svc-password',
      userBase: `ou=people,${SUFFIX}`,
      userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
      groupBase: `ou=groups,${SUFFIX}`,
      groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
      groupTenants: { 'team-blue': 'blue' },
    },
  ]);
  identity.ldap = { realmLabel: 'Corporate directory', ...LDAP_USER };
}

// PAM: a system user in a group mapped to admin, checked by pam_unix through its own service file. Needs root.
const run = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
};
const pamCleanup = () => {
  fs.rmSync(PAM_SERVICE_FILE, { force: true });
  spawnSync('userdel', [PAM_USER]);
  spawnSync('groupdel', [PAM_GROUP]);
};
const pamReason = process.getuid?.() !== 0 ? 'not running as root' : !pamAvailable() ? 'the authenticate-pam binding did not load' : !fs.existsSync('/etc/pam.d') ? 'no /etc/pam.d' : null;
if (pamReason) {
  identity.pamSkipped = pamReason;
  console.warn(`e2e: no PAM realm: ${pamReason}`);
} else {
  pamCleanup(); // what a killed earlier run left behind
  undo.push(pamCleanup);
  await step(() => {
    run('groupadd', [PAM_GROUP]);
    run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', PAM_GROUP, PAM_USER]);
    run('chpasswd', [], `${PAM_USER}:${PAM_PASSWORD}\n`);
    fs.writeFileSync(PAM_SERVICE_FILE, 'auth required pam_unix.so\naccount required pam_unix.so\n');
  });
  Object.assign(env, { NIMBOX_PAM: '1', NIMBOX_PAM_SERVICE: PAM_SERVICE, NIMBOX_PAM_GROUP_ROLES: `${PAM_GROUP}=admin` });
  identity.pam = { username: PAM_USER, password: PAM_PASSWORD };
}

// E2E_DB=postgres: Nimbox on a throw-away PostgreSQL (initdb/pg_ctl in a temporary folder, stopped when this
// process exits) instead of its SQLite file.
if (process.env.E2E_DB === 'postgres') {
  process.env.DATABASE_URL = env.DATABASE_URL = await step(async () => createTestDatabase(await ensureTestPostgres()));
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-e2e-'));
undo.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const stack = await step(() => startStack({
  dataDir,
  port: Number(process.env.E2E_PORT ?? 3555),
  sim: { hosts: 2, port: 0, vms: 4, control: true, vrdeBase: 47000 },
  env,
  // Before Nimbox starts: tenant blue in the database, and its machines tagged on their hosts.
  async beforeServer(sim, dir) {
    const db = await openDb(dbLocation(dir));
    try {
      await createTenant({ name: 'blue', displayName: 'Blue team', realms: slapd ? ['ldap:corp'] : [] }, db);
    } finally {
      await db.destroy();
    }
    for (const h of sim.hosts) {
      const client = new VBoxClient({ url: h.url, username: 'vbox', password: 'vbox' });
      try {
        await client.write(async (vbox, wsm) => {
          for (const m of await vbox.getMachines()) {
            if (!BLUE_MACHINES.includes(await m.getName())) continue;
            // VirtualBox takes a registered machine's extradata on its session machine only (a shared lock: a write lock when it is off).
            await withLockedMachine(vbox, wsm, m, 'Shared', async (session) => (await session.getMachine()).setExtraData('nimbox/tenant', 'blue'));
          }
        }, { release: true });
      } finally {
        await client.close();
      }
    }
  },
}));
undo.push(() => stack.stop());
// Where the tests find the simulator's hosts (SOAP and control URLs), and who signs in through which realm.
fs.writeFileSync(SIM_HOSTS_FILE, JSON.stringify(stack.sim.hosts.map((h) => ({ name: h.name, url: h.url, control: h.control }))));
fs.writeFileSync(E2E_IDENTITY_FILE, JSON.stringify(identity));
fs.writeFileSync(REAL_VBOX_FILE, JSON.stringify(realVBox));

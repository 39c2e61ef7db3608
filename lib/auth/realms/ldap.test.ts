import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { listAudit } from '@/lib/audit';
import { tempDb } from '../testing';
import { SigninThrottle } from '../throttle';
import { escapeFilterValue, fillFilter, ldapDirectorySchema, ldapRealm, type LdapDirectory } from './ldap';
import { realms } from './index';
import { signIn } from './signin';
import { RealmRefusal } from './types';
import { slapdMissing, ssha, startSlapd, type Slapd } from './slapd-harness';

/*
 * The LDAP realm against real OpenLDAP servers: two slapd processes started from
 * temporary folders, loaded from the LDIF below. "corp" (plain ldap:// on loopback)
 * holds groupOfNames groups; "lab" serves StartTLS and ldaps:// with a self-signed
 * certificate and posixGroup groups.
 */

describe('escapeFilterValue / fillFilter (RFC 4515)', () => {
  it('escapes exactly the five special characters, and leaves UTF-8 alone', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
    expect(escapeFilterValue('jürgen.ødegård')).toBe('jürgen.ødegård');
    expect(escapeFilterValue('admin)(|(uid=*')).toBe('admin\\29\\28|\\28uid=\\2a');
  });
  it('fills only {username} and {dn}, each escaped', () => {
    expect(fillFilter('(&(objectClass=person)(uid={username}))', { username: '*)(uid=*' })).toBe('(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))');
    expect(fillFilter('(member={dn})', { dn: 'uid=j(ohn)*,ou=people,dc=x' })).toBe('(member=uid=j\\28ohn\\29\\2a,ou=people,dc=x)');
    expect(fillFilter('(x={other})', { username: 'a' })).toBe('(x={other})');
  });
});

describe('NIMBOX_LDAP directory settings', () => {
  const base = {
    name: 'corp', url: 'ldap://127.0.0.1:389', bindDN: 'cn=svc', bindPassword: 'pw', userBase: 'dc=x',
    userFilter: '(uid={username})', groupBase: 'dc=x', groupFilter: '(member={dn})',
  };
  it('accepts loopback ldap://, ldaps://, and ldap:// with StartTLS', () => {
    expect(ldapDirectorySchema.safeParse(base).success).toBe(true);
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'ldaps://dir.example.org' }).success).toBe(true);
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'ldap://dir.example.org:389', startTLS: true }).success).toBe(true);
  });
  it('refuses passwords in clear to another machine, filters without their placeholder, unknown roles and bad tenants', () => {
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'ldap://dir.example.org' }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'ldap://dir.example.org', allowPlaintext: true }).success).toBe(true);
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'ldaps://dir.example.org', startTLS: true }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, url: 'http://dir.example.org' }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, userFilter: '(uid=alice)' }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, groupFilter: '(objectClass=groupOfNames)' }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, groupRoles: { admins: 'root' } }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, groupTenants: { blue: 'Blue Team' } }).success).toBe(false);
    expect(ldapDirectorySchema.safeParse({ ...base, name: 'no spaces' }).success).toBe(false);
  });
});

const missing = slapdMissing();
if (missing) console.warn(`LDAP realm tests against slapd skipped: ${missing}`);

const CORP = 'dc=nimbox,dc=test';
const LAB = 'dc=lab,dc=test';
const person = (suffix: string, uid: string, password: string, extra: string[] = []) =>
  [`dn: uid=${uid},ou=people,${suffix}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `userPassword: ${ssha(password)}`, ...extra, ''].join('\n');
const ou = (suffix: string, name: string) => [`dn: ou=${name},${suffix}`, 'objectClass: organizationalUnit', `ou: ${name}`, ''].join('\n');
const service = (suffix: string) =>
  [`dn: cn=nimbox-svc,ou=services,${suffix}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: nimbox-svc', `userPassword: ${ssha('svc-password')}`, ''].join('\n');

const corpLdif = [
  [`dn: ${CORP}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: nimbox', 'o: Nimbox', ''].join('\n'),
  ou(CORP, 'people'), ou(CORP, 'groups'), ou(CORP, 'services'), service(CORP),
  person(CORP, 'alice', 'alice-pw', ['mail: alice@nimbox.test']),
  person(CORP, 'bob', 'bob-pw'),
  person(CORP, 'carol', 'carol-pw'),
  person(CORP, 'dave', 'dave-pw'),
  person(CORP, 'j(ohn)*', 'john-pw'),
  person(CORP, 'eve', 'eve-pw', ['mail: shared@nimbox.test']),
  person(CORP, 'eve2', 'eve-pw', ['mail: shared@nimbox.test']),
  ...[
    // groupOfNames needs a member: "ghost" (no entry) keeps a group valid when the test empties it.
    ['nimbox-admins', ['alice', 'ghost']],
    ['nimbox-ops', ['dave']],
    ['team-blue', ['bob', 'dave', 'j(ohn)*', 'eve', 'eve2']],
  ].map(([cn, members]) =>
    [`dn: cn=${cn},ou=groups,${CORP}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...(members as string[]).map((m) => `member: uid=${m},ou=people,${CORP}`), ''].join('\n'),
  ),
].join('\n');

const labLdif = [
  [`dn: ${LAB}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: lab', 'o: Lab', ''].join('\n'),
  ou(LAB, 'people'), ou(LAB, 'groups'), ou(LAB, 'services'), service(LAB),
  person(LAB, 'frank', 'frank-pw'),
  person(LAB, 'bob', 'lab-bob-pw'),
  [`dn: cn=red-team,ou=groups,${LAB}`, 'objectClass: posixGroup', 'cn: red-team', 'gidNumber: 5001', 'memberUid: frank', 'memberUid: bob', ''].join('\n'),
].join('\n');

describe.skipIf(missing)('LDAP realm against slapd', () => {
  let corp: Slapd;
  let lab: Slapd;
  let db: DB;
  let cleanup: () => Promise<void>;
  let corpDir: LdapDirectory;
  let labDir: LdapDirectory;

  beforeAll(async () => {
    ({ db, cleanup } = await tempDb('nimbox-ldap-'));
    [corp, lab] = await Promise.all([startSlapd({ suffix: CORP, ldif: corpLdif }), startSlapd({ suffix: LAB, ldif: labLdif, tls: true })]);
    corpDir = ldapDirectorySchema.parse({
      name: 'corp',
      label: 'Corp directory',
      url: corp.url,
      bindDN: `cn=nimbox-svc,ou=services,${CORP}`,
      bindPassword: 'svc-password',
      userBase: `ou=people,${CORP}`,
      userFilter: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))',
      groupBase: `ou=groups,${CORP}`,
      groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
      groupRoles: { 'nimbox-admins': 'admin', 'nimbox-ops': 'operator' },
      groupTenants: { 'team-blue': 'blue' },
    });
    labDir = ldapDirectorySchema.parse({
      name: 'lab',
      url: corp.url.replace(/:\d+$/, `:${new URL(lab.url).port}`),
      startTLS: true,
      tlsCA: lab.caFile,
      bindDN: `cn=nimbox-svc,ou=services,${LAB}`,
      bindPassword: 'svc-password',
      userBase: `ou=people,${LAB}`,
      userFilter: '(uid={username})',
      groupBase: `ou=groups,${LAB}`,
      groupFilter: '(&(objectClass=posixGroup)(memberUid={username}))',
      groupTenants: { 'red-team': 'red' },
    });
  });
  afterAll(async () => {
    await Promise.all([corp?.stop(), lab?.stop()]);
    await cleanup?.();
  });

  const corpRealm = () => ldapRealm(corpDir, async () => db);
  const labRealm = (over: Partial<LdapDirectory> = {}) => ldapRealm({ ...labDir, ...over }, async () => db);
  const userRow = (realm: string, username: string) =>
    db.selectFrom('users').selectAll().where('realm', '=', realm).where('username', '=', username).executeTakeFirst();

  it('searches, then binds as the user: groups map to role and tenant, and the user is upserted', async () => {
    const alice = await corpRealm().authenticate('alice', 'alice-pw');
    expect(alice).toMatchObject({ username: 'alice', realm: 'ldap:corp', role: 'admin', tenant: null });
    expect(await userRow('ldap:corp', 'alice')).toMatchObject({ id: alice!.id, role: 'admin', tenant: null, password_hash: '' });
    expect(await corpRealm().authenticate('bob', 'bob-pw')).toMatchObject({ username: 'bob', role: 'viewer', tenant: 'blue' });
    // The strongest role wins; a group can give a tenant beside it.
    expect(await corpRealm().authenticate('dave', 'dave-pw')).toMatchObject({ role: 'operator', tenant: 'blue' });
    // Signing in by mail: the entry's uid is the username kept.
    expect(await corpRealm().authenticate('alice@nimbox.test', 'alice-pw')).toMatchObject({ id: alice!.id, username: 'alice' });
  });

  it('answers null for a wrong password, an unknown user and an empty password', async () => {
    expect(await corpRealm().authenticate('alice', 'bob-pw')).toBeNull();
    expect(await corpRealm().authenticate('alice', 'ALICE-PW')).toBeNull();
    expect(await corpRealm().authenticate('nobody', 'alice-pw')).toBeNull();
    expect(await corpRealm().authenticate('alice', '')).toBeNull();
  });

  it('refuses a user whose groups map to nothing, even with the right password', async () => {
    await expect(corpRealm().authenticate('carol', 'carol-pw')).rejects.toBeInstanceOf(RealmRefusal);
    expect(await userRow('ldap:corp', 'carol')).toBeUndefined();
  });

  it('treats every character of the username as a value: injection attempts find no one', async () => {
    // Unescaped, "al*" would match alice alone and sign her in with her password.
    const attempts = ['al*', '*', ')(uid=*', 'admin)(|(uid=*', 'alice)(|(uid=*', '*)(uid=*))(|(uid=*', 'alice)(objectClass=*', '\\2a', 'alice\0', '\0', 'alice\\'];
    for (const username of attempts) {
      expect(await corpRealm().authenticate(username, 'alice-pw'), JSON.stringify(username)).toBeNull();
    }
    // And a real uid made of those characters signs in (found by the escaped value; its
    // DN, with parentheses and a star, goes escaped into the group filter).
    expect(await corpRealm().authenticate('j(ohn)*', 'john-pw')).toMatchObject({ username: 'j(ohn)*', tenant: 'blue' });
    expect(await corpRealm().authenticate('j(ohn)*', 'alice-pw')).toBeNull();
  });

  it('refuses an ambiguous filter result (two entries) instead of picking one', async () => {
    expect(await corpRealm().authenticate('shared@nimbox.test', 'eve-pw')).toBeNull();
    expect(await corpRealm().authenticate('eve', 'eve-pw')).toMatchObject({ username: 'eve' });
  });

  it('fails loudly (not as a wrong password) when the service account cannot bind', async () => {
    const realm = ldapRealm({ ...corpDir, bindPassword: 'wrong' }, async () => db);
    await expect(realm.authenticate('alice', 'alice-pw')).rejects.toThrow(/service account could not bind/);
  });

  it('follows the directory at every sign-in: a changed group changes the role, the id stays', async () => {
    const before = await corpRealm().authenticate('alice', 'alice-pw');
    const admin = new Client({ url: corp.url });
    await admin.bind(corp.rootDN, corp.rootPassword);
    const member = `uid=alice,ou=people,${CORP}`;
    await admin.modify(`cn=nimbox-admins,ou=groups,${CORP}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [member] }) }));
    await admin.modify(`cn=nimbox-ops,ou=groups,${CORP}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));
    try {
      const after = await corpRealm().authenticate('alice', 'alice-pw');
      expect(after).toMatchObject({ id: before!.id, role: 'operator' });
      expect(await userRow('ldap:corp', 'alice')).toMatchObject({ role: 'operator' });
    } finally {
      await admin.modify(`cn=nimbox-ops,ou=groups,${CORP}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [member] }) }));
      await admin.modify(`cn=nimbox-admins,ou=groups,${CORP}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));
      await admin.unbind();
    }
  });

  it('speaks StartTLS and ldaps:// with the configured CA, and refuses a certificate it cannot trust', async () => {
    expect(await labRealm().authenticate('frank', 'frank-pw')).toMatchObject({ username: 'frank', realm: 'ldap:lab', role: 'viewer', tenant: 'red' });
    expect(await labRealm({ url: lab.ldapsUrl!, startTLS: false }).authenticate('frank', 'frank-pw')).toMatchObject({ username: 'frank' });
    expect(await labRealm({ url: lab.ldapsUrl!, startTLS: false }).authenticate('frank', 'wrong')).toBeNull();
    await expect(labRealm({ tlsCA: undefined }).authenticate('frank', 'frank-pw')).rejects.toThrow(/certificate/i);
    await expect(labRealm({ url: lab.ldapsUrl!, startTLS: false, tlsCA: undefined }).authenticate('frank', 'frank-pw')).rejects.toThrow(/certificate/i);
  });

  it('serves several directories from NIMBOX_LDAP: same name, different users', async () => {
    const list = realms({ NIMBOX_LDAP: JSON.stringify([corpDir, labDir]) });
    expect(list.map((r) => r.name)).toEqual(['local', 'ldap:corp', 'ldap:lab']);
    expect(list.map((r) => r.label)).toEqual(['Nimbox account', 'Corp directory', 'lab']);
    const corpBob = await ldapRealm(corpDir, async () => db).authenticate('bob', 'bob-pw');
    const labBob = await ldapRealm(labDir, async () => db).authenticate('bob', 'lab-bob-pw');
    expect(corpBob).toMatchObject({ realm: 'ldap:corp', tenant: 'blue' });
    expect(labBob).toMatchObject({ realm: 'ldap:lab', tenant: 'red' });
    expect(corpBob!.id).not.toBe(labBob!.id);
    // Each directory checks its own password.
    expect(await ldapRealm(labDir, async () => db).authenticate('bob', 'bob-pw')).toBeNull();
  });

  it('signs tenant members in at their tenant only, and audits every attempt', async () => {
    const offered = [corpRealm(), labRealm()];
    const opts = { address: '198.51.100.9', db, throttle: new SigninThrottle({ db }), realms: offered, tenantRealms: () => ['ldap:corp', 'ldap:lab'] };
    expect(await signIn({ username: 'bob', password: 'bob-pw', realm: 'ldap:corp', tenant: 'blue' }, opts)).toMatchObject({ username: 'bob', tenant: 'blue' });
    expect(await signIn({ username: 'frank', password: 'frank-pw', realm: 'ldap:lab', tenant: 'red' }, opts)).toMatchObject({ tenant: 'red' });
    // Right password, wrong tenant: refused.
    expect(await signIn({ username: 'frank', password: 'frank-pw', realm: 'ldap:lab', tenant: 'blue' }, opts)).toBeNull();
    expect(await signIn({ username: 'alice', password: 'alice-pw', realm: 'ldap:corp', tenant: 'blue' }, opts)).toBeNull();
    expect(await signIn({ username: 'al*', password: 'alice-pw', realm: 'ldap:corp' }, opts)).toBeNull();

    const rows = (await listAudit({ action: 'signin' }, db)).filter((r) => r.address === '198.51.100.9').reverse();
    expect(rows.map((r) => [r.username, r.tenant, r.target, r.result, r.detail])).toEqual([
      ['bob', 'blue', 'ldap:corp', 'success', null],
      ['frank', 'red', 'ldap:lab', 'success', null],
      ['frank', 'blue', 'ldap:lab', 'failure', 'not a member of tenant blue (member of red)'],
      ['alice', 'blue', 'ldap:corp', 'failure', 'not a member of tenant blue'],
      ['al*', null, 'ldap:corp', 'failure', 'invalid credentials'],
    ]);
    expect(rows[0].userId).toBe((await userRow('ldap:corp', 'bob'))!.id);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { tempDb } from '../testing';
import { tenantRealms } from './index';

// The realms offered at /t/<tenant>/login: a tenant record's realm list narrows them.
const env = await tempDb('nimbox-tenant-realms-');
const saved = { PAM: process.env.NIMBOX_PAM };
process.env.NIMBOX_PAM = '1';
const { createTenant } = await import('@/lib/tenants');

afterAll(async () => {
  if (saved.PAM === undefined) delete process.env.NIMBOX_PAM;
  else process.env.NIMBOX_PAM = saved.PAM;
  await env.cleanup();
});

describe('tenantRealms', () => {
  it('offers every realm but local, narrowed to the tenant record’s list when it has one', async () => {
    expect(await tenantRealms('nobody-yet', env.db)).toEqual(['pam']);
    await createTenant({ name: 'blue', displayName: 'Blue', realms: ['ldap:corp'] }, env.db);
    expect(await tenantRealms('blue', env.db)).toEqual([]);
    await createTenant({ name: 'green', displayName: 'Green', realms: ['pam'] }, env.db);
    expect(await tenantRealms('green', env.db)).toEqual(['pam']);
    expect(await tenantRealms('Not A Tenant!', env.db)).toBeNull();
  });
});

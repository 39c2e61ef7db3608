import { afterAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '@/lib/cluster/testing';

const dataDir = tempDataDir('nimbox-allowed-hosts-');
const { createTenant } = await import('./index');
const { allowedHostsOf } = await import('./allowed-hosts');

afterAll(() => dataDir.remove());

describe('allowedHostsOf', () => {
  it("answers the tenant's allowed hosts, or any host", async () => {
    await createTenant({ name: 'blue', displayName: 'Blue', allowedHostIds: ['h1', 'h2'] });
    await createTenant({ name: 'green', displayName: 'Green' });
    expect(await allowedHostsOf({ tenant: 'blue' })).toEqual(new Set(['h1', 'h2']));
    expect(await allowedHostsOf({ tenant: 'green' })).toBeNull();
    expect(await allowedHostsOf({ tenant: null })).toBeNull();
    expect(await allowedHostsOf({ tenant: 'gone' })).toBeNull();
  });
});

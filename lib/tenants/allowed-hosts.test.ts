import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-allowed-hosts-'));
process.env.NIMBOX_DATA_DIR = dir;
const { createTenant } = await import('./index');
const { allowedHostsOf } = await import('./allowed-hosts');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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

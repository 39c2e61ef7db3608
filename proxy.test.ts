import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { sessionCookie, tempDb } from '@/lib/auth/testing';
import { createLocalUser } from '@/lib/auth/users';
import type { DB } from '@/lib/db';
import { config, proxy } from './proxy';

let cleanup: () => Promise<void>;
let user: User;
beforeAll(async () => {
  let db: DB;
  ({ db, cleanup } = await tempDb('nimbox-proxy-'));
  user = (await createLocalUser(db, { username: 'admin', password: 'pw', role: 'admin' }))!;
});
afterAll(() => cleanup());

const get = (path: string, headers: Record<string, string> = {}) =>
  proxy(new NextRequest(`http://nimbox.test${path}`, { headers: { 'x-forwarded-proto': 'http', ...headers } }));

describe('proxy', () => {
  it('sends signed-out page requests to /login with the way back', async () => {
    const home = await get('/');
    expect(home.status).toBe(307);
    expect(home.headers.get('location')).toBe('http://nimbox.test/login');
    const vm = await get('/vms/a?tab=console');
    expect(new URL(vm.headers.get('location')!).pathname).toBe('/login');
    expect(new URL(vm.headers.get('location')!).searchParams.get('callbackUrl')).toBe('/vms/a?tab=console');
  });

  it('lets public paths and API routes through (the API answers 401 itself)', async () => {
    for (const p of ['/login', '/api/auth/csrf', '/api/v1/health', '/api/v1/hosts', '/metrics']) {
      const res = await get(p);
      expect(res.headers.get('location'), p).toBeNull();
      expect(res.headers.get('x-middleware-next'), p).toBe('1');
    }
  });

  it('lets a valid session through, and refuses a cookie of the wrong scheme', async () => {
    const res = await get('/', { cookie: await sessionCookie(user) });
    expect(res.headers.get('x-middleware-next')).toBe('1');
    const secure = await get('/', { cookie: await sessionCookie(user, { secure: true }), 'x-forwarded-proto': 'https' });
    expect(secure.headers.get('x-middleware-next')).toBe('1');
    const mixed = await get('/', { cookie: await sessionCookie(user, { secure: false }), 'x-forwarded-proto': 'https' });
    expect(mixed.status).toBe(307);
  });

  it('does not run for Next static assets', () => {
    const re = new RegExp(`^${config.matcher[0]}$`);
    expect(re.test('/_next/static/chunks/a.js')).toBe(false);
    expect(re.test('/vms/a')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { User } from '@/lib/auth/policy';
import { route } from './handler';

/*
 * route()'s body parsing, through a route of its own (the caller given, no audit): JSON
 * is read only from a request that says it is JSON.
 */
const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const echo = route(
  { action: 'host:write', body: z.object({ name: z.string() }), caller: async () => admin, audit: false },
  async ({ body }) => ({ got: body.name }),
);
const send = (contentType: string | null, body = JSON.stringify({ name: 'x' }), method = 'POST') =>
  echo(new Request('http://nimbox.test/api/v1/echo', { method, body, headers: contentType === null ? {} : { 'content-type': contentType } }));

describe('route() request bodies', () => {
  it('reads JSON sent as application/json, with or without parameters', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      const r = await send(type);
      expect(r.status, type).toBe(200);
      expect(await r.json()).toEqual({ got: 'x' });
    }
  });

  it('answers 415 (problem+json) for a JSON body sent as anything else, before reading it', async () => {
    // text/plain and forms are what another site's page can post without a CORS preflight.
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-seq', null]) {
      for (const method of ['POST', 'PATCH', 'PUT']) {
        const r = await send(type, undefined, method);
        expect(r.status, `${method} ${type}`).toBe(415);
        expect(r.headers.get('content-type')).toBe('application/problem+json');
        expect(await r.json()).toMatchObject({ status: 415, title: 'Unsupported media type', detail: expect.stringMatching(/application\/json/) });
      }
    }
  });

  it('still says 400 for a body that claims JSON and is not', async () => {
    const r = await send('application/json', 'name=x');
    expect(r.status).toBe(400);
    expect((await r.json()).errors).toEqual([{ field: 'body', message: 'Not valid JSON' }]);
  });
});

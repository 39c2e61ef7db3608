import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { problemResponse } from '@/lib/api/problem';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { bearerToken, createToken, listTokens, TokenLimitError } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';

const Body = z.object({
  name: z.string().trim().min(1).max(100),
  /** Whole days until it stops working; absent: never. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** The caller's own tokens, without secrets. */
export const GET = route({ action: 'account:token' }, async ({ user }) => ({ tokens: await listTokens(await getDb(), user.id) }));

/** A new token for the caller: the secret is in this answer only. */
export const POST = route<Record<string, string>, z.infer<typeof Body>>({ action: 'account:token', body: Body, audit: false /* token.create, below */ }, async ({ req, user, body }) => {
  // A token cannot mint tokens: a leaked one must not outlive its own revocation.
  if (bearerToken(req.headers) !== undefined) {
    return problemResponse({ title: 'Forbidden', status: 403, detail: 'API tokens are created from a signed-in browser session, not with another token.' });
  }
  try {
    const created = await createToken(await getDb(), user.id, body);
    await recordAudit({ userId: user.id, username: user.username, tenant: user.tenant, action: 'token.create', target: created.id, result: 'success', address: clientAddress(req.headers), detail: created.name });
    return Response.json(created, { status: 201, headers: { Location: `/api/v1/tokens/${created.id}`, 'Cache-Control': 'no-store' } });
  } catch (e) {
    if (e instanceof TokenLimitError) return problemResponse({ title: 'Too many tokens', status: 409, detail: e.message });
    throw e;
  }
});

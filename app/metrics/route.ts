import crypto from 'node:crypto';
import { route } from '@/lib/api/handler';
import { SCRAPE_REALM, type User } from '@/lib/auth/policy';
import { bearerToken, userForToken } from '@/lib/auth/tokens';
import { getInventory } from '@/lib/cluster/inventory';
import { getDb } from '@/lib/db';
import { scrape } from '@/lib/metrics/prometheus';

export const dynamic = 'force-dynamic';

/** Who a scrape token stands for: the policy lets it read /metrics and nothing else. */
const SCRAPER: User = { id: 'scrape', username: 'prometheus', realm: SCRAPE_REALM, role: 'viewer', tenant: null };

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * The caller of a scrape: `Authorization: Bearer <NIMBOX_METRICS_TOKEN>` (compared in constant time:
 * hashes of equal length), else a user's API token (nbx_…; the policy then wants an admin). No cookie:
 * /metrics is for Prometheus, not for browsers.
 */
async function scrapeCaller(req: Request): Promise<User | null> {
  const token = bearerToken(req.headers);
  if (!token) return null;
  const expected = process.env.NIMBOX_METRICS_TOKEN;
  if (expected && crypto.timingSafeEqual(sha256(token), sha256(expected))) return SCRAPER;
  return userForToken(await getDb(), token);
}

/** GET /metrics → Prometheus' text format (lib/metrics/prometheus): hosts, machines and Nimbox itself. */
export const GET = route({ action: 'metrics:read', caller: scrapeCaller }, async () => {
  const inventory = getInventory();
  await inventory.start();
  const { contentType, body } = await scrape(inventory);
  return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
});

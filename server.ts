// The Nimbox server: Next's request handler plus, on the same port, the WebSocket
// upgrade of /api/v1/console/ws, the console gateway (lib/console). `npm start` runs it
// (NODE_ENV=production, after `npm run build`); so do the demo and the end-to-end tests.
//
//   tsx server.ts [-p PORT] [-H HOSTNAME]     (defaults: $PORT or 3000, every interface)
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import next from 'next';
import { REMOTE_ADDRESS_HEADER } from './lib/auth/address';
import { realms } from './lib/auth/realms';
import { createConsoleGateway } from './lib/console/live';
import { jsonLineLogger } from './lib/console/log';

const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' } } });
const dev = process.env.NODE_ENV !== 'production';
// tsx turns source maps on for the whole process, and Node then loads the map of every chunk of the build it runs
// (~85 MB more RSS): a production server does without, as `next start` does.
if (!dev) process.setSourceMapsEnabled(false);
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname; // default: every interface, as `next start`

/**
 * The Content-Security-Policy of the embeddable console (/embed/…): who may frame it.
 * NIMBOX_FRAME_ANCESTORS is a CSP source list (e.g. `'self' https://portal.example.com`),
 * default 'self'. Set here, at run time, so that changing it needs no rebuild (a header
 * in next.config.ts would be fixed at build time).
 */
function embedPolicy(): string {
  const sources = (process.env.NIMBOX_FRAME_ANCESTORS ?? '')
    .split(/[\s;,]+/)
    .filter(Boolean)
    // The keywords need their quotes, which .env files tend to strip.
    .map((s) => (/^(self|none)$/i.test(s) ? `'${s.toLowerCase()}'` : s));
  return `frame-ancestors ${sources.length > 0 ? sources.join(' ') : "'self'"}`;
}

const app = next({ dev, dir: path.resolve(import.meta.dirname), hostname: hostname ?? 'localhost', port });
const handle = app.getRequestHandler();
await app.prepare();
// After prepare: Next has loaded the .env files by then.
const EMBED_CSP = embedPolicy();
// The sign-in realms, read once now so that a wrong setting, or NIMBOX_PAM without its
// native binding, is said on stderr at start rather than at the first sign-in.
realms();
const gateway = createConsoleGateway();
const upgradeNext = app.getUpgradeHandler();

const server = http.createServer((req, res) => {
  // The TCP peer, for sign-in throttling and the audit log (lib/auth/address.ts); whatever a
  // client sent under this name is replaced.
  req.headers[REMOTE_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';
  const url = req.url ?? '/';
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (url === '/embed' || url.startsWith('/embed/') || url.startsWith('/embed?')) {
    res.setHeader('Content-Security-Policy', EMBED_CSP);
    // An embed link is in the page's URL: it must not leave in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
  } else {
    // The console itself is never framed (clickjacking): only /embed pages are meant for frames.
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
  }
  void handle(req, res);
});
// An idle keep-alive connection stays open longer than clients and reverse proxies keep theirs (nginx's
// upstream keepalive_timeout is 60 s): with Node's 5 s, a request sent just as the server closed the
// connection met a reset (a 502 behind a proxy). headersTimeout must exceed it.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
// Next's request handler adds its own upgrade listener to this server at the first request
// (next dev's hot reload); for a path that is one of its routes it ends the socket. So no
// route may live at /api/v1/console/ws, and other upgrades are Next's.
server.on('upgrade', (req, socket, head) => {
  if (gateway.handles(req)) void gateway.handleUpgrade(req, socket, head);
  else if (server.listenerCount('upgrade') === 1) {
    if (dev) void upgradeNext(req, socket, head);
    else socket.destroy();
  }
});

server.listen(port, hostname, () => {
  jsonLineLogger({ level: 'info', msg: 'nimbox listening', url: `http://${hostname ?? 'localhost'}:${port}`, dev });
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  jsonLineLogger({ level: 'info', msg: 'nimbox stopping', signal });
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  server.close();
  server.closeAllConnections();
  await gateway.close().catch(() => undefined);
  // instrumentation-node.ts stops the background work, logs off every host and hands this instance's leases over on
  // the same signal (its listener ran after this one's first await); wait for it before leaving.
  const { currentInventory } = await import('./lib/cluster/inventory');
  const instrumented = (globalThis as typeof globalThis & { __nimboxShutdown?: Promise<void> }).__nimboxShutdown;
  await (instrumented ?? currentInventory()?.stop())?.catch(() => undefined);
  await app.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// Several Nimbox instances on one PostgreSQL, as an operator runs them (issue 19): real server
// processes of the built app (server.ts, NODE_ENV=production), each with its own data folder and the
// same NIMBOX_SECRET and DATABASE_URL, a small reverse proxy spreading requests over them, and an
// SSE client. Used by e2e/instances.spec.ts and `npm run bench:inventory -- --instances 2 --db postgres`;
// nothing here imports Playwright.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../scripts/stack';

export interface Instance {
  /** `a`, `b`, …: how the test and the bench name it. */
  name: string;
  url: string;
  child: ChildProcess;
  pid: number;
  dataDir: string;
  /** Its stdout and stderr (JSON log lines), to read when something went wrong. */
  logFile: string;
  /** kill -9: no shutdown, leases left to expire. */
  kill(): Promise<void>;
}

/**
 * Starts `ports.length` instances on `databaseUrl`, one after the other (the first one migrates the
 * database and creates the admin account; the next ones find both done).
 */
export async function startInstances(o: { databaseUrl: string; ports: number[]; env?: Record<string, string> }): Promise<Instance[]> {
  const instances: Instance[] = [];
  try {
    for (const [i, port] of o.ports.entries()) {
      const name = String.fromCharCode(97 + i);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `nimbox-instance-${name}-`));
      const logFile = path.join(dataDir, 'server.log');
      const log = fs.openSync(logFile, 'a');
      try {
        const { next, url } = await startServer({ dataDir, port, env: { ...o.env, DATABASE_URL: o.databaseUrl }, stdio: ['ignore', log, log] });
        instances.push({
          name, url, child: next, pid: next.pid!, dataDir, logFile,
          async kill() {
            if (next.exitCode !== null || next.signalCode !== null) return;
            const exited = new Promise((r) => next.once('exit', r));
            next.kill('SIGKILL');
            await exited;
          },
        });
      } catch (e) {
        throw new Error(`instance ${name}: ${(e as Error).message}\n${tail(logFile)}`);
      } finally {
        fs.closeSync(log);
      }
    }
    return instances;
  } catch (e) {
    await stopInstances(instances);
    throw e;
  }
}

/** Stops the instances still running (SIGTERM, as systemd does) and removes their data folders. */
export async function stopInstances(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map(async (i) => {
    if (i.child.exitCode === null && i.child.signalCode === null) {
      const exited = new Promise((r) => i.child.once('exit', r));
      i.child.kill('SIGTERM');
      // The server's own shutdown gives up after 10 s.
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (i.child.exitCode === null && i.child.signalCode === null) await i.kill();
    }
    fs.rmSync(i.dataDir, { recursive: true, force: true });
  }));
}

/** The last lines of an instance's log (for an error message). */
export function tail(logFile: string, lines = 30): string {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * The instance an instance id (`<hostname>-<pid>-<random>`, lib/coord) names: each instance is its own
 * process, so the pid in the id tells which.
 */
export function instanceOf(instances: Instance[], instanceId: string | null | undefined): Instance | undefined {
  const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(instanceId ?? '')?.[1]);
  return instances.find((i) => i.pid === pid);
}

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A reverse proxy on 127.0.0.1:`port` (0: any free port) spreading requests round-robin over
 * `upstreams`, as a load balancer in front of the instances does: responses are streamed (SSE passes
 * through), WebSocket upgrades are piped both ways, and an upstream that refuses the connection is
 * skipped for the next one (nginx's `proxy_next_upstream error`), so a dead instance costs no request.
 */
export async function startProxy(upstreams: string[], port = 0): Promise<Proxy> {
  const targets = upstreams.map((u) => new URL(u));
  let turn = 0;
  const sockets = new Set<net.Socket>();
  const forwarded = (req: http.IncomingMessage, upgrade = false): http.OutgoingHttpHeaders => {
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      'x-forwarded-for': req.socket.remoteAddress ?? '',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': req.headers.host ?? '',
    };
    // Hop-by-hop: each upstream request is a connection of its own (a WebSocket keeps the client's Upgrade).
    if (!upgrade) {
      headers.connection = 'close';
      delete headers['keep-alive'];
    }
    return headers;
  };

  const server = http.createServer(async (req, res) => {
    // The body is read first, so that the request can go to the next upstream when one refuses it.
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const first = turn++;
    const attempt = (n: number): void => {
      if (n >= targets.length) {
        res.writeHead(502, { 'Content-Type': 'text/plain' }).end('no upstream answered');
        return;
      }
      const t = targets[(first + n) % targets.length];
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: forwarded(req), agent: false });
      up.on('response', (r) => {
        res.writeHead(r.statusCode ?? 502, r.rawHeaders);
        r.pipe(res);
        // An upstream dying mid-stream (an SSE stream, kill -9) ends the client's response too, as nginx does.
        r.on('error', () => res.destroy());
        r.on('aborted', () => res.destroy());
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        if (!res.headersSent && e.code === 'ECONNREFUSED') attempt(n + 1);
        else if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(e.message);
        else res.destroy();
      });
      // A client that goes away (an SSE reader cancelled) closes the upstream request.
      res.on('close', () => up.destroy());
      up.end(body);
    };
    attempt(0);
  });

  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const first = turn++;
    const attempt = (n: number): void => {
      if (n >= targets.length) {
        client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
        return;
      }
      const t = targets[(first + n) % targets.length];
      const up = net.connect(Number(t.port), t.hostname);
      sockets.add(up).add(client);
      up.once('connect', () => {
        const headers = Object.entries(forwarded(req, true)).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}`));
        up.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
        if (head.length) up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNREFUSED' && up.bytesWritten === 0) attempt(n + 1);
        else client.destroy();
      });
      up.on('close', () => { sockets.delete(up); client.destroy(); });
      client.on('error', () => up.destroy());
      client.on('close', () => { sockets.delete(client); up.destroy(); });
    };
    attempt(0);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface SseEvent {
  type: string;
  data: unknown;
  /** performance.now() when it arrived. */
  at: number;
}

/**
 * A client of GET /api/v1/events: keeps every event it receives (parsed) and waits for the one a
 * caller looks for. It does not reconnect: a stream that ends is a failure the caller sees.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  ended: string | null = null;
  private readonly waiters = new Set<() => void>();
  private constructor(private readonly abort: AbortController) {}

  static async open(baseUrl: string, cookie: string): Promise<SseClient> {
    const abort = new AbortController();
    const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { Cookie: cookie, Accept: 'text/event-stream' }, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`GET ${baseUrl}/api/v1/events: HTTP ${res.status}`);
    const client = new SseClient(abort);
    void client.read(res.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (type && data) this.events.push({ type, data: JSON.parse(data), at: performance.now() });
        }
        this.wake();
      }
      this.ended = 'the event stream ended';
    } catch (e) {
      this.ended = `the event stream failed: ${(e as Error).message}`;
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /**
   * The first event from index `from` on that `match` accepts; rejects after `timeoutMs` or when the
   * stream ends, saying `what`.
   */
  next(what: string, match: (e: SseEvent) => boolean, o: { from?: number; timeoutMs?: number } = {}): Promise<SseEvent> {
    let index = o.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = () => {
        for (; index < this.events.length; index++) {
          if (match(this.events[index])) return done(() => resolve(this.events[index]));
        }
        if (this.ended) done(() => reject(new Error(`${what}: ${this.ended}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${what}: no such event within ${o.timeoutMs ?? 20_000} ms`))), o.timeoutMs ?? 20_000);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.abort.abort();
  }
}

/** An SSE event saying machine `id` is now in `state`. */
export const machineIn = (id: string, state: string) => (e: SseEvent) => {
  const m = (e.data as { machine?: { id: string; state: string } }).machine;
  return e.type === 'machine' && m?.id === id && m.state === state;
};

/**
 * The instance id holding lease `name` now (lib/coord's `coord_leases`, a row whose time has not run
 * out by the database's clock), or null: what an operator reads with psql.
 */
export async function leaseHolder(databaseUrl: string, name: string): Promise<string | null> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ holder: string }>(
      'select holder from coord_leases where name = $1 and expires_at > extract(epoch from clock_timestamp()) * 1000', [name]);
    return r.rows[0]?.holder ?? null;
  } finally {
    await client.end();
  }
}

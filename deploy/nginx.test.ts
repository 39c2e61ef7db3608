/**
 * deploy/nginx.conf, as docs/install.md ships it, run by Debian's nginx (a plain process, not
 * the system's service) in front of two small Node servers standing in for two Nimbox
 * instances: TLS with a throw-away certificate, the event stream passed on unbuffered, the
 * console's WebSocket upgraded, requests spread over both instances and moved off a dead one,
 * and the forwarded headers read the way Nimbox reads them (lib/auth). Needs no build of Nimbox.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { clientAddress, REMOTE_ADDRESS_HEADER } from '@/lib/auth/address';
import { isSameSiteUpgrade, siteOrigin } from '@/lib/auth/origin';
import { freePort } from '@/lib/vbox/websrv-harness';

const NGINX = '/usr/sbin/nginx';
const missing = fs.existsSync(NGINX) ? null : `${NGINX} not found (Debian's nginx; scripts/test-deps.sh installs it)`;
if (missing) console.warn(`nginx tests skipped: ${missing}`);

/** One stand-in instance: names itself in every answer, keeps event streams open, echoes WebSocket messages. */
interface Backend {
  name: string;
  port: number;
  server: http.Server;
  /** Event streams this instance still holds open (none is ended by the instance during the test). */
  streams: Set<http.ServerResponse>;
  /** The headers of the last WebSocket upgrade that reached this instance. */
  upgrades: http.IncomingHttpHeaders[];
}

async function startBackend(name: string): Promise<Backend> {
  const streams = new Set<http.ServerResponse>();
  const upgrades: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/api/v1/events') {
      // Unlike Nimbox's route, no X-Accel-Buffering header: the configuration alone must keep nginx from buffering.
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.write(`event: hello\ndata: ${JSON.stringify({ from: name })}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ server: name, peer: req.socket.remoteAddress, headers: req.headers }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/api/v1/console/ws') return socket.destroy();
    upgrades.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`${name}:${String(m)}`)));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { name, port, server, streams, upgrades };
}

/** deploy/nginx.conf with this test's ports, instances and certificate; each substitution must find its line. */
function render(conf: string, ports: { http: number; tls: number; a: number; b: number }, dir: string): string {
  const subs: [RegExp, string][] = [
    [/^\s*listen \[::\]:\d+.*$\n/gm, ''], // IPv6 may be off in the test machine
    [/listen 80;/g, `listen 127.0.0.1:${ports.http};`],
    [/listen 443 ssl/g, `listen 127.0.0.1:${ports.tls} ssl`],
    [/server 10\.0\.0\.11:3000/g, `server 127.0.0.1:${ports.a}`],
    [/server 10\.0\.0\.12:3000/g, `server 127.0.0.1:${ports.b}`],
    [/ssl_certificate\s+\S+;/g, `ssl_certificate ${dir}/cert.pem;`],
    [/ssl_certificate_key\s+\S+;/g, `ssl_certificate_key ${dir}/key.pem;`],
  ];
  for (const [re, to] of subs) {
    expect(conf, `deploy/nginx.conf has no line matching ${re}`).toMatch(re);
    conf = conf.replace(re, to);
  }
  return conf;
}

/** nginx's own main configuration around the site file, everything in `dir`, in the foreground. */
const mainConf = (dir: string) => `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/nimbox.conf;
}
`;

async function waitForPort(port: number, proc: ChildProcess, log: string): Promise<void> {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(missing !== null)('deploy/nginx.conf in front of two instances', () => {
  let dir: string;
  let ca: Buffer;
  let nginx: ChildProcess;
  let a: Backend;
  let b: Backend;
  const ports = { http: 0, tls: 0, a: 0, b: 0 };
  const site = () => `127.0.0.1:${ports.tls}`;

  /** A GET over TLS, the certificate checked against the test's own CA. */
  function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: ports.tls, path: pathname, ca, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-nginx-'));
    // nginx started by root runs its workers as nobody, who must reach the temporary folders here.
    fs.chmodSync(dir, 0o755);
    const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (cert.status !== 0) throw new Error(`openssl: ${cert.stderr}`);
    ca = fs.readFileSync(`${dir}/cert.pem`);
    [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    Object.assign(ports, { http: await freePort(), tls: await freePort(), a: a.port, b: b.port });
    fs.writeFileSync(`${dir}/nimbox.conf`, render(fs.readFileSync(path.join(import.meta.dirname, 'nginx.conf'), 'utf8'), ports, dir));
    fs.writeFileSync(`${dir}/nginx.conf`, mainConf(dir));
    nginx = spawn(NGINX, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
    await waitForPort(ports.tls, nginx, `${dir}/error.log`);
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    if (nginx && nginx.exitCode === null) await new Promise((r) => nginx.once('exit', r));
    for (const s of [a, b]) {
      s?.server.closeAllConnections();
      s?.server.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ host: '127.0.0.1', port: ports.http, path: '/vms?x=1' }, resolve).on('error', reject));
    res.resume();
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('https://127.0.0.1/vms?x=1');
  });

  it('passes an event of the stream on while the instance still holds the stream open', async () => {
    // A buffering proxy would hold the event until the stream ends, which it never does here: the test would time out.
    const { text, res } = await new Promise<{ text: string; res: http.IncomingMessage }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: ports.tls, path: '/api/v1/events', ca }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (text.includes('\n\n')) resolve({ text, res });
          });
          res.on('end', () => reject(new Error(`the stream ended before an event arrived: ${text}`)));
        })
        .on('error', reject);
    });
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(text).toMatch(/^event: hello\ndata: \{"from":"[ab]"\}\n\n$/);
    // The event came through while its instance had not ended the response: nothing waited for the end.
    expect(a.streams.size + b.streams.size).toBe(1);
    res.destroy();
  });

  it("upgrades the console's WebSocket, and the upgrade passes Nimbox's same-site check", async () => {
    vi.stubEnv('NIMBOX_TRUST_PROXY', '1');
    vi.stubEnv('NEXTAUTH_URL', '');
    try {
      const ws = new WebSocket(`wss://${site()}/api/v1/console/ws`, { ca, origin: `https://${site()}` });
      const reply = await new Promise<string>((resolve, reject) => {
        ws.on('open', () => ws.send('hello'));
        ws.on('message', (m) => resolve(String(m)));
        ws.on('error', reject);
      });
      ws.close();
      expect(reply).toMatch(/^[ab]:hello$/);
      const headers = (reply.startsWith('a') ? a : b).upgrades.at(-1)!;
      expect(headers.host).toBe(site());
      expect(isSameSiteUpgrade(headers)).toBe(true);
      // The check is not vacuous: another site's page is refused on the same headers.
      expect(isSameSiteUpgrade({ ...headers, origin: 'https://elsewhere.example' })).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("spreads requests over both instances, each told the client's address and the site's origin", async () => {
    vi.stubEnv('NIMBOX_TRUST_PROXY', '1');
    vi.stubEnv('NEXTAUTH_URL', '');
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        // A client's own X-Forwarded-For must not pass for its address.
        const { status, body } = await get('/api/v1/whoami', { 'X-Forwarded-For': '203.0.113.9' });
        expect(status).toBe(200);
        const r = JSON.parse(body) as { server: string; peer: string; headers: Record<string, string> };
        seen.add(r.server);
        expect(clientAddress({ ...r.headers, [REMOTE_ADDRESS_HEADER]: r.peer })).toBe('127.0.0.1');
        const req = new Request(`http://127.0.0.1:${r.server === 'a' ? a.port : b.port}/api/v1/whoami`, { headers: r.headers });
        expect(siteOrigin(req)).toBe(`https://${site()}`);
      }
      expect([...seen].sort()).toEqual(['a', 'b']);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('sends every request to the other instance when one is down', async () => {
    b.server.closeAllConnections();
    await new Promise((r) => b.server.close(r));
    for (let i = 0; i < 4; i++) {
      const { status, body } = await get('/api/v1/whoami');
      expect(status).toBe(200);
      expect((JSON.parse(body) as { server: string }).server).toBe('a');
    }
  });
});

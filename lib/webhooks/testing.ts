import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Test helpers (not used by the app): a real HTTP receiver on 127.0.0.1 that records what webhooks
 * POST to it and answers what the test says.
 */

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** Its base URL, e.g. http://127.0.0.1:41234 (any path is accepted). */
  url: string;
  requests: Received[];
  /**
   * How it answers the next request: a status code (with `location` for a redirect), or 'hang'
   * (never answers). Default 204.
   */
  answer: (r: Received) => number | 'hang' | { status: number; location: string };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = { url: '', requests: [], answer: () => 204, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      receiver.requests.push(r);
      const a = receiver.answer(r);
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      const { status, location } = typeof a === 'number' ? { status: a, location: undefined } : a;
      res.writeHead(status, location ? { Location: location } : {});
      res.end(status === 204 ? undefined : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

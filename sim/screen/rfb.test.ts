import net from 'node:net';
import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desEncryptBlock, vncAuthResponse, vncKey } from './des.js';
import { VncServer } from './rfb.js';
import { Screen } from './screen.js';

/** A minimal RFB viewer: buffered exact-length reads over node:net. */
class TestClient {
  private buf = Buffer.alloc(0);
  private waiters: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  closed = false;
  readonly done: Promise<void>;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.flush();
    });
    sock.on('error', () => undefined);
    this.done = new Promise((resolve) => sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed'));
      resolve();
    }));
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  private flush(): void {
    while (this.waiters.length && this.buf.length >= this.waiters[0].n) {
      const w = this.waiters.shift()!;
      const out = this.buf.subarray(0, w.n);
      this.buf = this.buf.subarray(w.n);
      w.resolve(out);
    }
  }

  read(n: number, timeoutMs = 3000): Promise<Buffer> {
    if (this.closed && this.buf.length < n) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${n} bytes`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: (b) => { clearTimeout(timer); resolve(b); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.flush();
    });
  }

  buffered(): number {
    return this.buf.length;
  }

  write(b: Buffer | string): void {
    this.sock.write(b);
  }

  end(): void {
    this.sock.destroy();
  }
}

interface ServerInit {
  width: number;
  height: number;
  pixelFormat: Buffer;
  name: string;
}

async function readServerInit(c: TestClient): Promise<ServerInit> {
  const head = await c.read(24);
  const name = await c.read(head.readUInt32BE(20));
  return {
    width: head.readUInt16BE(0),
    height: head.readUInt16BE(2),
    pixelFormat: head.subarray(4, 20),
    name: name.toString('utf8'),
  };
}

/** RFB 3.8 handshake up to and including ServerInit. */
async function handshake(c: TestClient, password?: string): Promise<ServerInit> {
  expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
  c.write('RFB 003.008\n');
  const count = (await c.read(1))[0];
  const types = [...(await c.read(count))];
  if (password === undefined) {
    expect(types).toEqual([1]);
    c.write(Buffer.from([1]));
  } else {
    expect(types).toEqual([2]);
    c.write(Buffer.from([2]));
    c.write(vncAuthResponse(password, await c.read(16)));
  }
  expect((await c.read(4)).readUInt32BE(0)).toBe(0);
  c.write(Buffer.from([1])); // ClientInit, shared
  return readServerInit(c);
}

function updateRequest(incremental: boolean, x = 0, y = 0, w = 640, h = 480): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 3;
  b[1] = incremental ? 1 : 0;
  b.writeUInt16BE(x, 2);
  b.writeUInt16BE(y, 4);
  b.writeUInt16BE(w, 6);
  b.writeUInt16BE(h, 8);
  return b;
}

function keyEvent(keysym: number, down: boolean): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 4;
  b[1] = down ? 1 : 0;
  b.writeUInt32BE(keysym, 4);
  return b;
}

interface Rect { x: number; y: number; w: number; h: number; encoding: number; data: Buffer }

async function readUpdate(c: TestClient, bytesPerPixel = 4, timeoutMs = 3000): Promise<Rect[]> {
  const head = await c.read(4, timeoutMs);
  expect(head[0]).toBe(0);
  const rects: Rect[] = [];
  for (let i = head.readUInt16BE(2); i > 0; i--) {
    const r = await c.read(12);
    const rect: Rect = {
      x: r.readUInt16BE(0), y: r.readUInt16BE(2), w: r.readUInt16BE(4), h: r.readUInt16BE(6),
      encoding: r.readInt32BE(8), data: Buffer.alloc(0),
    };
    if (rect.encoding === 0) rect.data = await c.read(rect.w * rect.h * bytesPerPixel);
    rects.push(rect);
  }
  return rects;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DES for VNC authentication', () => {
  it('matches the FIPS test vector', () => {
    const out = desEncryptBlock(Buffer.from('133457799BBCDFF1', 'hex'), Buffer.from('0123456789ABCDEF', 'hex'));
    expect(out.toString('hex')).toBe('85e813540f0ab405');
  });

  it('mirrors key bits the way VNC does', () => {
    // vncpasswd stores "password" encrypted under VNC's fixed key as DBD83CFD727A1458.
    const fixed = String.fromCharCode(23, 82, 107, 6, 35, 78, 88, 7);
    expect(desEncryptBlock(vncKey(fixed), Buffer.from('password')).toString('hex')).toBe('dbd83cfd727a1458');
  });

  it('computes challenge responses (cross-checked with OpenSSL legacy DES-ECB)', () => {
    const challenge = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    expect(vncKey('secret').toString('hex')).toBe('cea6c64ea62e0000');
    expect(vncAuthResponse('secret', challenge).toString('hex')).toBe('ee22539f33a5983ec12f9c2edbc995dd');
    // Only the first 8 characters count.
    expect(vncAuthResponse('longpassword', challenge)).toEqual(vncAuthResponse('longpass', challenge));
  });
});

describe('Screen', () => {
  let t: number;
  const now = (): number => t;
  beforeEach(() => { t = 1_000_000; });

  it('renders 640x480 B,G,R,0 pixels deterministically and caches them', () => {
    const a = new Screen({ machineName: 'vm1', hostName: 'h1', now, state: { bootedAt: t - 83_000, typed: 'x' } });
    const b = new Screen({ machineName: 'vm1', hostName: 'h1', now, state: { bootedAt: t - 83_000, typed: 'x' } });
    expect(a.width).toBe(640);
    expect(a.height).toBe(480);
    const px = a.render();
    expect(px.length).toBe(640 * 480 * 4);
    expect(px.equals(b.render())).toBe(true);
    expect(a.render()).toBe(px); // cached while the version is unchanged
    expect(px[3]).toBe(0);
    const v = a.version();
    t += 250;
    expect(a.version()).toBeGreaterThan(v);
    expect(a.render().equals(px)).toBe(false); // the animation moved
  });

  it('types, deletes, breaks lines and keeps the last ten lines', () => {
    const s = new Screen({ machineName: 'vm', hostName: 'h', now });
    const v = s.version();
    for (const c of 'hiX') s.keyEvent(c.charCodeAt(0), true);
    s.keyEvent(0x58, false); // key up changes nothing
    s.keyEvent(0xff08, true);
    s.keyEvent(0xffe1, true); // Shift alone changes nothing
    expect(s.state().typed).toBe('hi');
    expect(s.version()).toBe(v + 4);
    for (let i = 0; i < 15; i++) { s.keyEvent(0xff0d, true); s.keyEvent(0x30 + (i % 10), true); }
    expect(s.state().typed.split('\n')).toHaveLength(10);
    expect(s.state().typed.endsWith('\n4')).toBe(true);
  });

  it('carries uptime and text across a teleport, and shows the new host', () => {
    const a = new Screen({ machineName: 'vm', hostName: 'host-a', now });
    a.keyEvent(0x61, true);
    t += 5000;
    const b = new Screen({ machineName: 'vm', hostName: 'host-a', now, state: a.state() });
    expect(b.render().equals(a.render())).toBe(true);
    const v = b.version();
    b.hostName = 'host-b';
    expect(b.version()).toBe(v + 1);
    expect(b.render().equals(a.render())).toBe(false);
  });

  it('encodes a valid PNG, natively and scaled', () => {
    const s = new Screen({ machineName: 'vm', hostName: 'h', now });
    for (const [w, h, ew, eh] of [[undefined, undefined, 640, 480], [320, 240, 320, 240], [0, 100, 640, 100]] as const) {
      const png = s.png(w, h);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      let off = 8;
      const idat: Buffer[] = [];
      let ihdr: Buffer | null = null;
      while (off < png.length) {
        const len = png.readUInt32BE(off);
        const type = png.toString('latin1', off + 4, off + 8);
        const data = png.subarray(off + 8, off + 8 + len);
        if (type === 'IHDR') ihdr = data;
        if (type === 'IDAT') idat.push(data);
        off += 12 + len;
      }
      expect(ihdr).not.toBeNull();
      expect([ihdr!.readUInt32BE(0), ihdr!.readUInt32BE(4), ihdr![8], ihdr![9]]).toEqual([ew, eh, 8, 6]);
      const raw = inflateSync(Buffer.concat(idat));
      expect(raw.length).toBe(eh * (1 + ew * 4));
      // Top-left pixel: title band colour, opaque, matching render().
      const src = s.render();
      expect([...raw.subarray(1, 5)]).toEqual([src[2], src[1], src[0], 255]);
    }
  });
});

describe('VncServer', () => {
  let t: number;
  let screen: Screen;
  let server: VncServer;
  const now = (): number => t;

  async function start(password?: string): Promise<number> {
    server = new VncServer({ screen: () => screen, password });
    await server.listen(0);
    return server.port;
  }

  beforeEach(() => {
    t = 5_000_000;
    screen = new Screen({ machineName: 'web-01', hostName: 'host-a', now, state: { bootedAt: t - 83_000, typed: '' } });
  });

  afterEach(async () => {
    await server?.close();
  });

  it('handshakes without a password and serves the full screen as Raw', async () => {
    const c = await TestClient.connect(await start());
    const init = await handshake(c);
    expect(init.name).toBe('web-01');
    expect([init.width, init.height]).toEqual([640, 480]);
    expect([...init.pixelFormat]).toEqual([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    expect(server.clients()).toBe(1);
    c.write(updateRequest(false));
    const [rect] = await readUpdate(c);
    expect([rect.x, rect.y, rect.w, rect.h, rect.encoding]).toEqual([0, 0, 640, 480, 0]);
    expect(rect.data.equals(screen.render())).toBe(true);
    c.end();
  });

  it('applies typed keys and answers the incremental request with the changed text area', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    c.write(updateRequest(false));
    const before = (await readUpdate(c))[0].data;
    for (const ch of 'hi') {
      c.write(keyEvent(ch.charCodeAt(0), true));
      c.write(keyEvent(ch.charCodeAt(0), false));
    }
    c.write(updateRequest(true));
    const after = (await readUpdate(c))[0].data;
    expect(screen.state().typed).toBe('hi');
    let changed = 0;
    let minY = Infinity;
    for (let i = 0; i < after.length; i += 4) {
      if (after.readUInt32LE(i) !== before.readUInt32LE(i)) { changed++; minY = Math.min(minY, Math.floor(i / 4 / 640)); }
    }
    expect(changed).toBeGreaterThan(50);
    expect(minY).toBeGreaterThanOrEqual(196); // only the console area changed (the clock stood still)
    c.end();
  });

  it('holds an incremental request until the picture changes', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    c.write(updateRequest(false));
    await readUpdate(c);
    c.write(updateRequest(true));
    await sleep(200);
    expect(c.buffered()).toBe(0);
    t += 250; // one animation tick
    const [rect] = await readUpdate(c, 4, 1000);
    expect(rect.data.equals(screen.render())).toBe(true);
    c.end();
  });

  it('sends only the requested area', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    c.write(updateRequest(false, 10, 20, 30, 40));
    const [rect] = await readUpdate(c);
    expect([rect.x, rect.y, rect.w, rect.h]).toEqual([10, 20, 30, 40]);
    const src = screen.render();
    expect(rect.data.subarray(0, 120)).toEqual(src.subarray((20 * 640 + 10) * 4, (20 * 640 + 40) * 4));
    c.end();
  });

  it('authenticates with VNC Authentication', async () => {
    const c = await TestClient.connect(await start('s3cret'));
    const init = await handshake(c, 's3cret');
    expect(init.name).toBe('web-01');
    c.end();
  });

  it('refuses a wrong password with SecurityResult 1 and a reason, and keeps serving', async () => {
    const port = await start('s3cret');
    let failures = 0;
    server.on('authFailed', () => { failures++; });
    const c = await TestClient.connect(port);
    await c.read(12);
    c.write('RFB 003.008\n');
    expect([...(await c.read(2))]).toEqual([1, 2]);
    c.write(Buffer.from([2]));
    c.write(vncAuthResponse('wrong', await c.read(16)));
    expect((await c.read(4)).readUInt32BE(0)).toBe(1);
    const reason = await c.read((await c.read(4)).readUInt32BE(0));
    expect(reason.toString()).toMatch(/auth/i);
    await c.done;
    expect(failures).toBe(1);
    const ok = await TestClient.connect(port);
    await handshake(ok, 's3cret');
    ok.end();
  });

  it('speaks RFB 3.3 (server-chosen security type, no SecurityResult for None)', async () => {
    const c = await TestClient.connect(await start());
    await c.read(12);
    c.write('RFB 003.003\n');
    expect((await c.read(4)).readUInt32BE(0)).toBe(1);
    c.write(Buffer.from([0]));
    expect((await readServerInit(c)).name).toBe('web-01');
    c.end();
  });

  it('speaks RFB 3.3 with VNC Authentication', async () => {
    const c = await TestClient.connect(await start('pw'));
    await c.read(12);
    c.write('RFB 003.003\n');
    expect((await c.read(4)).readUInt32BE(0)).toBe(2);
    c.write(vncAuthResponse('pw', await c.read(16)));
    expect((await c.read(4)).readUInt32BE(0)).toBe(0);
    c.write(Buffer.from([1]));
    expect((await readServerInit(c)).width).toBe(640);
    c.end();
  });

  it('speaks RFB 3.7 (type list, no SecurityResult for None)', async () => {
    const c = await TestClient.connect(await start());
    await c.read(12);
    c.write('RFB 003.007\n');
    expect([...(await c.read(2))]).toEqual([1, 1]);
    c.write(Buffer.from([1, 1])); // choice, then ClientInit
    expect((await readServerInit(c)).name).toBe('web-01');
    c.end();
  });

  it('copes with messages split into single bytes', async () => {
    const c = await TestClient.connect(await start());
    await c.read(12);
    const bytes = Buffer.concat([
      Buffer.from('RFB 003.008\n'), Buffer.from([1]), Buffer.from([1]), keyEvent(0x71, true), updateRequest(false),
    ]);
    for (const b of bytes) {
      c.write(Buffer.from([b]));
      await sleep(1);
    }
    await c.read(2 + 4);
    expect((await readServerInit(c)).name).toBe('web-01');
    await readUpdate(c);
    expect(screen.state().typed).toBe('q');
    c.end();
  });

  it('honours SetPixelFormat (16-bit big-endian RGB565)', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    const spf = Buffer.alloc(20);
    spf[0] = 0;
    Buffer.from([16, 16, 1, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0]).copy(spf, 4);
    c.write(spf);
    c.write(updateRequest(false));
    const [rect] = await readUpdate(c, 2);
    const src = screen.render();
    for (const i of [0, 640 * 100 + 20, 640 * 300 + 300]) {
      const [b, g, r] = [src[i * 4], src[i * 4 + 1], src[i * 4 + 2]];
      const v = (Math.round((r * 31) / 255) << 11) | (Math.round((g * 63) / 255) << 5) | Math.round((b * 31) / 255);
      expect(rect.data.readUInt16BE(i * 2)).toBe(v);
    }
    c.end();
  });

  it('sends the next frame when the machine\'s screen is replaced (teleport)', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    c.write(updateRequest(false));
    await readUpdate(c);
    c.write(updateRequest(true));
    await sleep(100);
    expect(c.buffered()).toBe(0);
    screen = new Screen({ machineName: 'web-01', hostName: 'host-b', now, state: screen.state() });
    const [rect] = await readUpdate(c, 4, 1000);
    expect(rect.data.equals(screen.render())).toBe(true);
    c.end();
  });

  it('announces a new size with DesktopSize to viewers that support it', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    const enc = Buffer.alloc(12);
    enc[0] = 2;
    enc.writeUInt16BE(2, 2);
    enc.writeInt32BE(0, 4);
    enc.writeInt32BE(-223, 8);
    c.write(enc);
    screen = new Screen({ machineName: 'web-01', hostName: 'h', width: 800, height: 600, now });
    c.write(updateRequest(true));
    const [resize] = await readUpdate(c);
    expect([resize.w, resize.h, resize.encoding]).toEqual([800, 600, -223]);
    c.write(updateRequest(false, 0, 0, 800, 600));
    const [rect] = await readUpdate(c);
    expect([rect.w, rect.h]).toEqual([800, 600]);
    c.end();
  });

  it('closes a client that sends garbage and keeps serving others', async () => {
    const port = await start();
    let errors = 0;
    server.on('protocolError', () => { errors++; });
    const g1 = await TestClient.connect(port);
    await g1.read(12);
    g1.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await g1.done;
    const g2 = await TestClient.connect(port);
    await handshake(g2);
    g2.write(Buffer.from([0x63, 0xff, 0x00, 0x12, 0x34]));
    await g2.done;
    const g3 = await TestClient.connect(port);
    await handshake(g3);
    g3.write(Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])); // absurd ClientCutText length
    await g3.done;
    expect(errors).toBe(3);
    const ok = await TestClient.connect(port);
    await handshake(ok);
    {
      ok.write(updateRequest(false));
      expect((await readUpdate(ok))[0].w).toBe(640);
    }
    await sleep(20);
    expect(server.clients()).toBe(1);
    ok.end();
  });

  it('does not queue frames for a viewer that stops reading', async () => {
    const c = await TestClient.connect(await start());
    await handshake(c);
    c.sock.pause();
    for (let i = 0; i < 40; i++) {
      c.write(updateRequest(false));
      await sleep(5);
    }
    await sleep(100);
    c.sock.resume();
    // Each request alone would be a 1.2 MB frame; with back-pressure, most are merged.
    let frames = 0;
    for (;;) {
      try {
        await readUpdate(c, 4, 300);
        frames++;
      } catch {
        break;
      }
    }
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(40);
    c.end();
  });

  it('close() ends the listener and every connection', async () => {
    const port = await start();
    const a = await TestClient.connect(port);
    const b = await TestClient.connect(port);
    await handshake(a);
    await sleep(20);
    expect(server.clients()).toBe(2);
    await server.close();
    await Promise.all([a.done, b.done]);
    expect(server.clients()).toBe(0);
    await expect(TestClient.connect(port)).rejects.toThrow();
  });
});

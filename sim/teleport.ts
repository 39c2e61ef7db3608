// Teleporting (live migration) between simulated hosts, over real TCP.
//
// The shape follows VirtualBox's ConsoleImplTeleporter.cpp:
//   target (listening in TeleportingIn)      source (IConsole::teleport, Running → Teleporting)
//   "VirtualBox-Teleporter-1.0\n"       →
//                                        ←   password (SHA-512 hashed as Main does) + "\n"
//   "ACK\n" | "NACK=-89\n" (keeps listening)
//                                        ←   "load\n"
//   "ACK\n"                             →
//                                        ←   saved-state stream in TELEPORTERTCPHDR blocks
//                                            (magic 0x19471205, size; size 0 = end, UINT32_MAX = cancelled):
//                                            live pass 0 with the RAM config and all of RAM, live passes with
//                                            the pages dirtied meanwhile, then (VM paused: TeleportingPausedVM)
//                                            the final pass with CPU state, the last pages and the device state
//   "ACK\n" | "NACK=<rc>;<text>\n"      →    (a failed load powers the target VM off)
//                                        ←   "lock-media\n"          → "ACK\n"
//                                        ←   "hand-over-resume\n"    → "ACK\n", target Running, source Teleported
//
// Every failure fails the source's progress with E_FAIL and the text VirtualBox's Console sets, and
// puts the source back to Running (or Paused). The RAM image is simulated: a few hundred bytes on the
// wire per MB of guest RAM, paced so that a transfer takes a short time proportional to the RAM size.
import { createHash, randomInt } from 'node:crypto';
import net from 'node:net';
import type { SimHost } from './host';
import { fail, sleep, VBoxFault, type MachineState } from './model/base';
import { Progress } from './model/progress';
import type { VM } from './model/vm';
import type { ScreenState } from './screen/screen';

const WELCOME = 'VirtualBox-Teleporter-1.0\n';
/** TELEPORTERTCPHDR: u32 magic, u32 size of the block that follows. */
const HDR_MAGIC = 0x19471205;
const HDR_MAX_SIZE = 0x00fffff8;
const HDR_CANCELLED = 0xffffffff;
/** SSM's stream magic, carried in the first block of the (simulated) saved state. */
const SSM_MAGIC = '\x7fVirtualBox SavedState V2.0\n';
const SSM_PASS_FINAL = 0xffffffff;
/** PGM's saved-state unit version (PGMSavedState.cpp) and MM_RAM_HOLE_SIZE_DEFAULT. */
const PGM_SAVED_STATE_VERSION = 14;
const RAM_HOLE_SIZE = 0x20000000;
const MiB = 1024 * 1024;

// Timing of the simulated transfer: ~70 ms per GB of guest RAM, sent in ~4 ms chunks.
const MS_PER_MB = 70 / 1024;
const SETUP_MS = 10;
const CHUNK_MS = 4;
const WIRE_BYTES_PER_MB = 256;
/** The guest dirties about an eighth of what a pass took to send, never less than a small working set. */
const DIRTY_RATIO = 1 / 8;
const DIRTY_MIN_MB = 4;
/** Device and CPU state of the final pass. */
const DEVICE_STATE_MS = 3;
const MAX_LIVE_PASSES = 8;
/** How long the source lingers after the hand-over for the target to close (it powers itself down meanwhile). */
const HAND_OVER_LINGER_MS = 1000;
/** The target gives up waiting for an incoming VM after 5 minutes, as VirtualBox does. */
const TARGET_TIMEOUT_MS = 5 * 60_000;

/** IPRT / VMM status codes used here, as %Rrc prints them, with their values for NACK lines. */
const VRC: Record<string, number> = {
  VERR_NOT_IMPLEMENTED: -12,
  VERR_WRONG_ORDER: -22,
  VERR_AUTHENTICATION_FAILURE: -89,
  VERR_BUFFER_OVERFLOW: -41,
  VERR_IO_GEN_FAILURE: -257,
  VERR_BROKEN_PIPE: -301,
  VERR_NET_IO_ERROR: -400,
  VERR_NET_HOST_NOT_FOUND: -402,
  VERR_NET_ADDRESS_IN_USE: -448,
  VERR_NET_ADDRESS_NOT_AVAILABLE: -449,
  VERR_NET_UNREACHABLE: -451,
  VERR_NET_CONNECTION_RESET: -452,
  VERR_NET_CONNECTION_ABORTED: -453,
  VERR_NET_CONNECTION_RESET_BY_PEER: -454,
  VERR_NET_SHUTDOWN: -458,
  VERR_NET_CONNECTION_TIMED_OUT: -460,
  VERR_NET_CONNECTION_REFUSED: -461,
  VERR_NET_HOST_DOWN: -464,
  VERR_NET_HOST_UNREACHABLE: -465,
  VERR_SSM_INTEGRITY: -1810,
  VERR_SSM_INTEGRITY_MAGIC: -1811,
  VERR_SSM_LOAD_CONFIG_MISMATCH: -1844,
  VERR_SSM_UNEXPECTED_DATA: -1848,
  VERR_SSM_CANCELLED: -1858,
};

function rcName(rc: number): string {
  return Object.keys(VRC).find((k) => VRC[k] === rc) ?? `Unknown Status ${rc} (0x${(rc >>> 0).toString(16)})`;
}

/** What RTErrConvertFromErrno makes of a socket error. */
function vrcOfErrno(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED': return 'VERR_NET_CONNECTION_REFUSED';
    case 'ECONNRESET': return 'VERR_NET_CONNECTION_RESET_BY_PEER';
    case 'ECONNABORTED': return 'VERR_NET_CONNECTION_ABORTED';
    case 'EPIPE': case 'ERR_STREAM_WRITE_AFTER_END': return 'VERR_BROKEN_PIPE';
    case 'ETIMEDOUT': return 'VERR_NET_CONNECTION_TIMED_OUT';
    case 'EHOSTUNREACH': return 'VERR_NET_HOST_UNREACHABLE';
    case 'EHOSTDOWN': return 'VERR_NET_HOST_DOWN';
    case 'ENETUNREACH': return 'VERR_NET_UNREACHABLE';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': case 'EAI_FAIL': return 'VERR_NET_HOST_NOT_FOUND';
    case 'EADDRINUSE': return 'VERR_NET_ADDRESS_IN_USE';
    case 'EADDRNOTAVAIL': return 'VERR_NET_ADDRESS_NOT_AVAILABLE';
    case 'ERR_STREAM_DESTROYED': case 'ERR_SOCKET_CLOSED': return 'VERR_NET_SHUTDOWN';
    default: return 'VERR_NET_IO_ERROR';
  }
}

/** A console error as Console::setError raises it: E_FAIL from ConsoleWrap. */
const consoleError = (text: string) => new VBoxFault('E_FAIL', text, 'ConsoleWrap', 'IConsole');

// --- Passwords (Main's HashedPw.cpp: "#SHA-512#" + optional hex salt + "#" + SHA-512 hex)

const HASHED_PW = /^#SHA-512#[0-9a-fA-F]*#[0-9a-fA-F]{128}$/;

function hashPassword(plain: string): string {
  return plain ? `#SHA-512##${createHash('sha512').update(plain, 'utf8').digest('hex')}` : '';
}

/** The target's teleporterPassword as Main stores it (hashed unless it already is). */
function storedPassword(pw: string): string {
  return HASHED_PW.test(pw) ? pw : hashPassword(pw);
}

// --- A TCP connection with the blocking reads the teleporter code is written in terms of

class IoError extends Error {
  constructor(readonly vrc: string) { super(vrc); }
}

const vrcOf = (e: unknown): string => (e instanceof IoError ? e.vrc : 'VERR_NET_IO_ERROR');

class Wire {
  private buf: Buffer = Buffer.alloc(0);
  private eof = false;
  private error: string | null = null;
  private closed = false;
  private waiters: Array<() => void> = [];

  constructor(readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake();
    });
    sock.on('end', () => { this.eof = true; this.wake(); });
    sock.on('error', (e: NodeJS.ErrnoException) => { this.error ??= vrcOfErrno(e.code); this.wake(); });
    sock.on('close', () => { this.eof = true; this.closed = true; this.wake(); });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** RTTcpSelectOne: something to read, or the connection ended or failed. */
  get readable(): boolean {
    return this.buf.length > 0 || this.eof || this.error !== null;
  }

  get isClosed(): boolean { return this.closed; }

  private check(): void {
    if (this.error) throw new IoError(this.error);
    if (this.eof) throw new IoError('VERR_NET_SHUTDOWN');
  }

  /** RTTcpRead of exactly n bytes. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      this.check();
      await this.wait();
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** teleporterTcpReadLine: up to '\n' or '\0', at most max - 1 characters. */
  async readLine(max: number): Promise<string> {
    for (;;) {
      const end = this.buf.findIndex((b) => b === 0x0a || b === 0);
      if (end >= max - 1 || (end < 0 && this.buf.length >= max - 1)) throw new IoError('VERR_BUFFER_OVERFLOW');
      if (end >= 0) {
        const line = this.buf.toString('utf8', 0, end);
        this.buf = this.buf.subarray(end + 1);
        return line;
      }
      this.check();
      await this.wait();
    }
  }

  write(data: Buffer | string): Promise<void> {
    if (this.error) return Promise.reject(new IoError(this.error));
    if (this.closed || this.sock.destroyed || !this.sock.writable) return Promise.reject(new IoError('VERR_BROKEN_PIPE'));
    return new Promise((resolve, reject) => {
      this.sock.write(data, (e) => {
        if (e) reject(new IoError(this.error ?? vrcOfErrno((e as NodeJS.ErrnoException).code)));
        else resolve();
      });
    });
  }

  /** Resolves once the peer has closed, or after `ms`. */
  async waitClosed(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.eof && !this.error && Date.now() < deadline) {
      await Promise.race([this.wait(), sleep(Math.max(1, deadline - Date.now()))]);
    }
  }

  /** RTTcpClientClose: an orderly close. */
  close(): void {
    if (this.sock.destroyed) return;
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 2000).unref();
  }

  destroy(): void {
    this.sock.destroy();
  }

  /** The connection breaks: the peer sees a reset. */
  reset(): void {
    if (!this.sock.destroyed) this.sock.resetAndDestroy();
  }
}

function block(tag: string, body: Buffer | string): Buffer {
  const payload = Buffer.concat([Buffer.from(tag, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32LE(HDR_MAGIC, 0);
  hdr.writeUInt32LE(payload.length, 4);
  return Buffer.concat([hdr, payload]);
}

function endBlock(cancelled: boolean): Buffer {
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32LE(HDR_MAGIC, 0);
  hdr.writeUInt32LE(cancelled ? HDR_CANCELLED : 0, 4);
  return hdr;
}

/** A saved-state unit record of the simulated stream. */
interface UnitRecord {
  name: string;
  instance: number;
  version: number;
  pass: number;
  ramSize?: number;
  ramHoleSize?: number;
  cCpus?: number;
  screen?: ScreenState;
}

const hex = (n: number) => n.toString(16).toUpperCase();

// --- Source: IConsole::teleport

/** How much RAM (MB) each pass sends: live passes while the VM runs, then the final pass while it is paused. */
function planPasses(memoryMB: number, maxDowntime: number): { live: number[]; final: number } {
  const live = [memoryMB];
  let dirty = Math.min(memoryMB, Math.max(DIRTY_MIN_MB, memoryMB * DIRTY_RATIO));
  // Another live pass while the final one would not fit in the allowed downtime (with some margin).
  while (live.length < MAX_LIVE_PASSES && dirty * MS_PER_MB + DEVICE_STATE_MS > maxDowntime * 0.75) {
    live.push(dirty);
    dirty = Math.min(memoryMB, Math.max(DIRTY_MIN_MB, dirty * DIRTY_RATIO));
  }
  return { live, final: dirty };
}

export function teleport(host: SimHost, vm: VM, hostname: string, port: number, password: string, maxDowntime: number): Progress {
  if (password && HASHED_PW.test(password)) {
    fail('E_INVALIDARG', 'The specified password resembles a hashed password, expected plain text', 'IConsole');
  }
  const oldState = vm.core.state;
  const progress = new Progress({ description: 'Teleporter', initiator: vm.console, cancelable: true });
  const job = new SourceJob(host, vm, progress, hostname, port, hashPassword(password), maxDowntime, oldState);
  progress.onCancel(() => job.cancel());
  vm.core.setState(oldState === 'Paused' ? 'TeleportingPausedVM' : 'Teleporting');
  setImmediate(() => void job.run());
  return progress;
}

class SourceJob {
  private wire: Wire | null = null;
  private canceled = false;

  constructor(
    private readonly host: SimHost,
    private readonly vm: VM,
    private readonly progress: Progress,
    private readonly hostname: string,
    private readonly port: number,
    private readonly password: string,
    private readonly maxDowntime: number,
    private readonly oldState: MachineState,
  ) {}

  cancel(): void { this.canceled = true; }

  async run(): Promise<void> {
    let fault: VBoxFault | null = null;
    try {
      await this.work();
    } catch (e) {
      fault = e instanceof VBoxFault ? e : consoleError(String((e as Error)?.message ?? e));
    }
    if (this.wire) this.vm.connections.delete(this.wire);
    this.wire?.destroy();
    if (fault) {
      // As Console::i_teleporterSrcThreadWrapper: complete the progress, then fix the machine state.
      this.progress.failWith(fault);
      this.restoreState();
      return;
    }
    await this.vm.end('Teleported');
    this.progress.complete();
  }

  private restoreState(): void {
    const core = this.vm.core;
    // Some other operation (the VM went away) took over: nothing to do.
    if (this.vm.isEnded || (core.state !== 'Teleporting' && core.state !== 'TeleportingPausedVM')) return;
    if (core.state === 'Teleporting') {
      core.setState('Running');
    } else if (this.oldState === 'Paused') {
      core.setState('Paused');
    } else {
      // Suspended by us for the final pass: Paused, then resumed.
      core.setState('Paused');
      core.setState('Running');
    }
  }

  private async connect(): Promise<Wire> {
    const host = this.hostname === 'localhost' ? '127.0.0.1' : this.hostname;
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port: this.port, family: 4 });
      const timer = setTimeout(() => sock.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), 20_000);
      timer.unref();
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new Wire(sock));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        sock.destroy();
        reject(consoleError(`Failed to connect to port ${this.port} on '${this.hostname}': ${vrcOfErrno(e.code)}`));
      });
    });
  }

  /** Console::i_teleporterSrcReadACK. */
  private async readAck(which: string, nackMsg?: string): Promise<void> {
    let line: string;
    try {
      line = await this.wire!.readLine(256);
    } catch (e) {
      throw consoleError(`Failed reading ACK(${which}): ${vrcOf(e)}`);
    }
    if (line === 'ACK') return;
    if (line.startsWith('NACK=')) {
      const semi = line.indexOf(';');
      const num = semi >= 0 ? line.slice(5, semi) : line.slice(5);
      if (/^[+-]?\d+$/.test(num)) {
        const rc = parseInt(num, 10);
        if (nackMsg) throw consoleError(nackMsg);
        if (semi >= 0) {
          const text = line.slice(semi + 1).trim().replace(/\r/g, '\n');
          if (text.length > 4) throw consoleError(text);
          throw consoleError(`NACK(${which}) - ${rcName(rc)} (${rc}) '${text}'`);
        }
        throw consoleError(`NACK(${which}) - ${rcName(rc)} (${rc})`);
      }
    }
    throw consoleError(`${which}: Expected ACK or NACK, got '${line}'`);
  }

  /** Console::i_teleporterSrcSubmitCommand. */
  private async command(cmd: string, waitForAck = true): Promise<void> {
    try {
      await this.wire!.write(`${cmd}\n`);
    } catch (e) {
      throw consoleError(`Failed writing command '${cmd}': ${vrcOf(e)}`);
    }
    if (waitForAck) await this.readAck(cmd);
  }

  /** Console::i_teleporterSrc. */
  private async work(): Promise<void> {
    if (this.canceled) throw consoleError('canceled');
    const wire = (this.wire = await this.connect());
    // The source process losing power breaks the connection under the target.
    this.vm.connections.add(wire);
    if (this.vm.isEnded) wire.reset();

    let welcome: Buffer;
    try {
      welcome = await wire.read(WELCOME.length);
    } catch (e) {
      throw consoleError(`Failed to read welcome message: ${vrcOf(e)}`);
    }
    if (welcome.toString('latin1') !== WELCOME) {
      throw consoleError(`Unexpected welcome ${[...welcome].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    }

    try {
      await wire.write(`${this.password}\n`);
    } catch (e) {
      throw consoleError(`Failed to send password: ${vrcOf(e)}`);
    }
    await this.readAck('password', 'Invalid password');

    // The saved state carries the configuration the target checks against its own; misconfiguration
    // shows up in the first pass (RAM) or the final one (CPUs).
    await this.command('load');
    const vrc = await this.stream();
    if (vrc) {
      if (vrc === 'VERR_SSM_CANCELLED' && wire.readable) await this.readAck('load-complete');
      throw consoleError(`VMR3Teleport -> ${vrc}`);
    }
    await this.readAck('load-complete');

    // The point of no return.
    if (this.canceled) {
      await this.command('cancel', false).catch(() => undefined);
      throw consoleError('canceled');
    }
    this.progress.opts.cancelable = false;

    await this.command('lock-media');
    await this.command(this.oldState === 'Paused' ? 'hand-over-paused' : 'hand-over-resume');
    // The target resumes the VM and closes; meanwhile this VM powers itself down.
    await wire.waitClosed(HAND_OVER_LINGER_MS);
  }

  /**
   * VMR3Teleport: the saved state in live passes, then the final pass with the VM paused.
   * Returns the failure status, or null once the end-of-stream block is written.
   */
  private async stream(): Promise<string | null> {
    const wire = this.wire!;
    const s = this.vm.core.settings;
    const plan = planPasses(s.memorySize, this.maxDowntime);
    const totalMB = plan.live.reduce((a, b) => a + b, 0) + plan.final;
    let sentMB = 0;
    const pattern = Buffer.from(s.id.replace(/-/g, ''), 'hex');

    /** SSM's pfnIsOk: incoming data means a NACK (or the connection went away). */
    const isOk = (): string | null => {
      if (this.vm.isEnded) return 'VERR_SSM_CANCELLED';
      if (this.canceled) return 'VERR_SSM_CANCELLED';
      if (wire.readable) return 'VERR_SSM_CANCELLED';
      return null;
    };
    const send = async (data: Buffer): Promise<string | null> => {
      try {
        await wire.write(data);
        return null;
      } catch (e) {
        // A NACK that arrived before the connection went down still explains why.
        return wire.readable ? 'VERR_SSM_CANCELLED' : vrcOf(e);
      }
    };
    const cancelStream = async (vrc: string): Promise<string> => {
      if (vrc === 'VERR_SSM_CANCELLED') await wire.write(endBlock(true)).catch(() => undefined);
      return vrc;
    };
    const unit = (u: UnitRecord) => send(block('U', JSON.stringify(u)));
    const ram = async (mb: number): Promise<string | null> => {
      const ms = mb * MS_PER_MB;
      const chunks = Math.max(1, Math.ceil(ms / CHUNK_MS));
      const bytes = Math.max(1, Math.ceil((mb * WIRE_BYTES_PER_MB) / chunks));
      const data = Buffer.alloc(bytes, pattern);
      const start = Date.now();
      for (let i = 0; i < chunks; i++) {
        const bad = isOk();
        if (bad) return bad;
        if (this.host.cutTeleports && sentMB >= totalMB / 2) {
          // Fault injection: the connection breaks halfway through the transfer.
          wire.reset();
          return 'VERR_NET_CONNECTION_RESET_BY_PEER';
        }
        const err = await send(block('R', data));
        if (err) return err;
        sentMB += mb / chunks;
        this.progress.step((99 * sentMB) / totalMB);
        const due = start + ((i + 1) * ms) / chunks;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      return null;
    };

    await sleep(SETUP_MS);
    let vrc = isOk() ?? await send(block('H', SSM_MAGIC));
    if (vrc) return cancelStream(vrc);

    // Live pass 0: the RAM configuration (checked by the target straight away), then all of RAM.
    vrc = await unit({ name: 'pgm', instance: 0, version: PGM_SAVED_STATE_VERSION, pass: 0, ramSize: s.memorySize * MiB, ramHoleSize: RAM_HOLE_SIZE });
    if (vrc) return cancelStream(vrc);
    for (const [pass, mb] of plan.live.entries()) {
      vrc = await ram(mb);
      if (vrc) return cancelStream(vrc);
      if (pass + 1 < plan.live.length) {
        vrc = await unit({ name: 'pgm', instance: 0, version: PGM_SAVED_STATE_VERSION, pass: pass + 1 });
        if (vrc) return cancelStream(vrc);
      }
    }

    // The final pass, with the VM suspended: the downtime.
    const bad = isOk();
    if (bad) return cancelStream(bad);
    if (this.vm.core.state === 'Teleporting') this.vm.core.setState('TeleportingPausedVM');
    vrc = await unit({ name: 'cpum', instance: 0, version: 0, pass: SSM_PASS_FINAL, cCpus: s.cpuCount });
    if (vrc) return cancelStream(vrc);
    vrc = await unit({ name: 'pgm', instance: 0, version: PGM_SAVED_STATE_VERSION, pass: SSM_PASS_FINAL });
    if (vrc) return cancelStream(vrc);
    vrc = await ram(plan.final);
    if (vrc) return cancelStream(vrc);
    vrc = isOk() ?? await unit({ name: 'display', instance: 0, version: 0, pass: SSM_PASS_FINAL, screen: this.vm.screen.state() });
    if (vrc) return cancelStream(vrc);
    vrc = await send(endBlock(false));
    if (vrc) return cancelStream(vrc);
    this.progress.step(99);
    return null;
  }
}

// --- Target: a machine with teleporterEnabled, waiting in TeleportingIn

/** Where the target listens: the host's own address (all hosts of the simulator share 127.0.0.1). */
async function listenOn(server: net.Server, port: number, address: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => { server.off('listening', onListening); reject(e); };
    const onListening = () => { server.off('error', onError); resolve(); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, address);
  });
}

/** RTTcpServerCreateEx on the configured port, or on a random free one (as Console::i_teleporterTrg picks it). */
async function bindTeleporter(host: SimHost, configured: number): Promise<{ server: net.Server; port: number }> {
  const ports = host.opts.ports;
  const tryPort = async (port: number): Promise<net.Server | string> => {
    if (!ports.claim(port)) return 'VERR_NET_ADDRESS_IN_USE';
    const server = net.createServer();
    try {
      await listenOn(server, port, host.opts.address);
      return server;
    } catch (e) {
      ports.release(port);
      return vrcOfErrno((e as NodeJS.ErrnoException).code);
    }
  };
  let vrc = 'VERR_NET_ADDRESS_IN_USE';
  if (configured) {
    const r = await tryPort(configured);
    if (typeof r !== 'string') return { server: r, port: configured };
    vrc = r;
  } else {
    for (let tries = 10240; tries > 0; tries--) {
      const port = randomInt(tries >= 8192 ? 49152 : 1024, 65535);
      const r = await tryPort(port);
      if (typeof r !== 'string') return { server: r, port };
      vrc = r;
      if (vrc !== 'VERR_NET_ADDRESS_IN_USE') break;
    }
  }
  throw consoleError(`RTTcpServerCreateEx failed with status ${vrc}`);
}

export async function listenTeleport(host: SimHost, vm: VM): Promise<void> {
  const t = vm.core.settings.teleporter;
  const portOrg = t.port;
  const { server, port } = await bindTeleporter(host, portOrg);
  // With port 0 the chosen port is readable from teleporterPort while waiting.
  if (port !== portOrg) t.port = port;
  const listener = new TeleportListener(host, vm, server, port, portOrg, storedPassword(t.password));
  vm.stopTeleportListener = () => listener.stop();
  if (vm.isEnded) listener.stop();
}

class TeleportListener {
  private listening = true;
  private stopped = false;
  private active: Wire | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly host: SimHost,
    private readonly vm: VM,
    private readonly server: net.Server,
    private readonly port: number,
    private readonly portOrg: number,
    private readonly password: string,
  ) {
    server.on('error', () => undefined);
    // One incoming VM at a time, as RTTcpServerListen serves connections.
    server.on('connection', (sock) => {
      sock.on('error', () => undefined);
      if (!this.listening) {
        sock.destroy();
        return;
      }
      this.queue = this.queue.then(() => this.serve(sock)).catch(() => undefined);
    });
    this.timer = setTimeout(() => {
      // "Teleporter timed out waiting for incoming connection": the VM powers off.
      if (this.listening) void this.vm.end('PoweredOff');
    }, TARGET_TIMEOUT_MS);
    this.timer.unref();
  }

  private closeServer(): void {
    if (!this.listening) return;
    this.listening = false;
    clearTimeout(this.timer);
    this.server.close();
    this.host.opts.ports.release(this.port);
  }

  /** The listener goes away with the VM (power off while waiting, or after the teleport). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closeServer();
    this.active?.destroy();
    this.active = null;
    // A port picked automatically is given back: teleporterPort reads its configured value again.
    const t = this.vm.core.settings.teleporter;
    if (t.port === this.port && this.port !== this.portOrg) t.port = this.portOrg;
  }

  /** Console::i_teleporterTrgServeConnection. */
  private async serve(sock: net.Socket): Promise<void> {
    if (!this.listening || this.stopped) {
      sock.destroy();
      return;
    }
    const wire = (this.active = new Wire(sock));
    try {
      await wire.write(WELCOME);
    } catch {
      wire.destroy();
      return;
    }

    // The password, compared as it arrives; a wrong one is read to its end, then NACKed after a
    // random pause, and the listener waits for another attempt.
    const expected = `${this.password}\n`;
    let ok = true;
    try {
      for (let off = 0; off < expected.length; off++) {
        let ch = (await wire.read(1)).toString('latin1');
        if (ch !== expected[off]) {
          ok = false;
          const maxRead = Math.ceil((expected.length * 3) / 1024) * 1024;
          while (off < maxRead && ch !== '\n') {
            ch = (await wire.read(1)).toString('latin1');
            off++;
          }
          break;
        }
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      await sleep(randomInt(64, 1025));
      await wire.write(`NACK=${VRC.VERR_AUTHENTICATION_FAILURE}\n`).catch(() => undefined);
      wire.close();
      if (this.active === wire) this.active = null;
      return;
    }
    try {
      await wire.write('ACK\n');
    } catch {
      wire.destroy();
      return;
    }

    // This source is the one: stop listening, no more timeout.
    this.closeServer();
    const vrc = await this.commands(wire);
    wire.close();
    if (vrc) {
      // The load failed or the connection broke: the target VM powers off — once the source has
      // read the NACK and hung up, since tearing the socket down first could reset it unread.
      await wire.waitClosed(1000);
      await this.vm.end('PoweredOff');
    } else {
      this.stop();
    }
  }

  private async nack(wire: Wire, vrc: string, text = ''): Promise<void> {
    const rc = VRC[vrc] ?? VRC.VERR_NET_IO_ERROR;
    let line = text ? `NACK=${rc};${text.replace(/\n/g, '\r')}` : `NACK=${rc}`;
    if (line.length > 254) line = line.slice(0, 254);
    await wire.write(`${line}\n`).catch(() => undefined);
  }

  /** The command loop; resolves to null once handed over, or to the failure status. */
  private async commands(wire: Wire): Promise<string | null> {
    let state: ScreenState | null = null;
    let mediaLocked = false;
    for (;;) {
      let cmd: string;
      try {
        cmd = await wire.readLine(128);
      } catch (e) {
        return vrcOf(e);
      }
      if (this.stopped) return 'VERR_SSM_CANCELLED';
      try {
        if (cmd === 'load') {
          await wire.write('ACK\n');
          const r = await this.load(wire);
          if ('vrc' in r) {
            await this.nack(wire, r.vrc, r.text);
            return r.vrc;
          }
          state = r.state;
          await wire.write('ACK\n');
        } else if (cmd === 'cancel') {
          return 'VERR_SSM_CANCELLED';
        } else if (cmd === 'lock-media') {
          // The disks are on shared storage; the source has let go of them.
          mediaLocked = true;
          await wire.write('ACK\n');
        } else if (cmd === 'hand-over-resume' || cmd === 'hand-over-paused') {
          if (!mediaLocked || !state) {
            const vrc = mediaLocked ? 'VERR_WRONG_ORDER' : 'VERR_SSM_CANCELLED';
            await this.nack(wire, vrc);
            return vrc;
          }
          await wire.write('ACK\n');
          if (this.vm.isEnded || this.stopped) return 'VERR_SSM_CANCELLED';
          await this.vm.arrive(state, cmd === 'hand-over-paused');
          return null;
        } else {
          await this.nack(wire, 'VERR_NOT_IMPLEMENTED');
          return 'VERR_NOT_IMPLEMENTED';
        }
      } catch (e) {
        return vrcOf(e);
      }
    }
  }

  /** VMR3LoadFromStream: reads the saved state, checking it against this machine's configuration. */
  private async load(wire: Wire): Promise<{ state: ScreenState } | { vrc: string; text?: string }> {
    const s = this.vm.core.settings;
    let state: ScreenState | null = null;
    for (;;) {
      let payload: Buffer;
      try {
        const hdr = await wire.read(8);
        const magic = hdr.readUInt32LE(0);
        const cb = hdr.readUInt32LE(4);
        if (magic === HDR_MAGIC && cb === 0) break;
        if (magic === HDR_MAGIC && cb === HDR_CANCELLED) return { vrc: 'VERR_SSM_CANCELLED' };
        if (magic !== HDR_MAGIC || cb > HDR_MAX_SIZE) return { vrc: 'VERR_IO_GEN_FAILURE' };
        payload = await wire.read(cb);
      } catch (e) {
        return { vrc: vrcOf(e) };
      }
      if (this.stopped) return { vrc: 'VERR_SSM_CANCELLED' };
      const tag = String.fromCharCode(payload[0]);
      if (tag === 'H') {
        if (payload.toString('latin1', 1) !== SSM_MAGIC) return { vrc: 'VERR_SSM_INTEGRITY_MAGIC' };
        continue;
      }
      if (tag !== 'U') continue; // RAM pages
      let u: UnitRecord;
      try {
        u = JSON.parse(payload.toString('utf8', 1)) as UnitRecord;
      } catch {
        return { vrc: 'VERR_SSM_INTEGRITY' };
      }
      if (u.name === 'pgm' && u.pass === 0) {
        // pgmR3LoadRamConfig, reported through SSMR3SetCfgError.
        const ramCfg = s.memorySize * MiB;
        if (u.ramSize !== ramCfg || u.ramHoleSize !== RAM_HOLE_SIZE) {
          return {
            vrc: 'VERR_SSM_LOAD_CONFIG_MISMATCH',
            text: `pgm#0: Ram config mismatch: saved=${hex(u.ramSize ?? 0)}/${hex(u.ramHoleSize ?? 0)} config=${hex(ramCfg)}/${hex(RAM_HOLE_SIZE)} (RAM/Hole) [ver=${u.version} pass=#0] (VERR_SSM_LOAD_CONFIG_MISMATCH)`,
          };
        }
      } else if (u.name === 'cpum' && u.pass === SSM_PASS_FINAL) {
        // cpumR3LoadExec: "Mismatching CPU counts" is an assertion, so SSM reports the unit as failed.
        if (u.cCpus !== s.cpuCount) {
          return { vrc: 'VERR_SSM_UNEXPECTED_DATA', text: "Failed to load unit 'cpum' (VERR_SSM_UNEXPECTED_DATA)" };
        }
      } else if (u.name === 'display' && u.screen) {
        state = u.screen;
      }
    }
    return { state: state ?? { bootedAt: Date.now(), typed: '' } };
  }
}

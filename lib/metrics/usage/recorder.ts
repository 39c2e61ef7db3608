import type { Inventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';
import type { DB } from '@/lib/db';
import { diskBytesByMachine } from './disk';
import { observe, type Observation } from './observe';
import {
  closeInterval, insertDiskSamples, insertInterval, lastEnd, latestDiskBytes, markSeen, readOpenIntervals, sameFacts, switchInterval,
  type IntervalFacts, type OpenInterval,
} from './store';

export interface UsageTiming {
  /** How often the disks are sampled and every machine is checked again (ms; default an hour). */
  tickMs: number;
  /** How long the start waits for every host's first scan before reconciling with what it has (ms). */
  settleMs: number;
}

export const DEFAULT_USAGE_TIMING: UsageTiming = { tickMs: 3_600_000, settleMs: 60_000 };

const facts = (o: Observation): IntervalFacts => ({ state: o.state, tenant: o.tenant, name: o.name, cpus: o.cpus, memoryMB: o.memoryMB });
const clamp = (t: number, lo: number, hi: number) => Math.min(Math.max(t, lo), Math.max(lo, hi));

/**
 * Records each machine's intervals by state class from the live inventory. A state change ends the open
 * interval and opens the next at VirtualBox's lastStateChange (never before Nimbox last saw the old state,
 * never after now), so a restart of Nimbox leaves no gap and counts nothing twice: at start the open
 * intervals are reconciled with the inventory's first scan. Other changes (tenant, name, vCPUs, memory)
 * start a new interval when they are seen.
 */
export class UsageRecorder {
  private open = new Map<string, OpenInterval>();
  private diskBytes = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private settled = false;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;
  /** Resolves once the first reconcile is done (tests wait for it). */
  readonly ready: Promise<void>;

  constructor(private readonly inv: Inventory, private readonly db: () => Promise<DB>, private readonly timing: UsageTiming = DEFAULT_USAGE_TIMING) {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    // Listen first; until the first reconcile, events are left to it (it reads the inventory as it then is).
    this.unsubscribe = this.inv.subscribe((e) => {
      if (!this.settled || (e.type !== 'machine' && e.type !== 'machine-removed')) return;
      const id = e.type === 'machine' ? e.machine.id : e.id;
      this.enqueue(() => this.check(id));
    });
    const db = await this.db();
    this.open = await readOpenIntervals(db);
    this.diskBytes = await latestDiskBytes(db);
    await this.inv.start();
    await this.firstScans();
    if (this.stopped) return;
    this.settled = true;
    await this.enqueue(() => this.reconcileAll());
    this.sampling = this.sampleDisks();
    this.schedule();
  }

  /**
   * Until every host has been scanned once or failed (the twins of a machine are all known), or settleMs. A host
   * that seems to answer but lists stale copies has not been scanned yet: its view is a snapshot's last-known one.
   */
  private async firstScans(): Promise<void> {
    const deadline = Date.now() + this.timing.settleMs;
    const scanned = (h: HostStatus) => h.lastError !== null || (h.lastContact !== null && !this.inv.monitor(h.id)?.machines().some((m) => m.stale));
    while (!this.stopped && Date.now() < deadline && !this.inv.hosts().every(scanned)) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private enqueue(f: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(f).catch((e) => console.error(JSON.stringify({ level: 'error', msg: 'usage: recording failed', error: (e as Error).message })));
    return this.queue;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.enqueue(() => this.reconcileAll()).then(() => {
        this.sampling = this.sampleDisks();
        return this.sampling;
      }).finally(() => this.schedule());
    }, this.timing.tickMs);
    this.timer.unref?.();
  }

  /** Brings one machine's open interval in line with the inventory. */
  private async check(id: string, now = Date.now()): Promise<void> {
    const db = await this.db();
    const seen = observe(this.inv.copies(id));
    const open = this.open.get(id);
    if (seen === 'gone') {
      if (open) {
        await closeInterval(db, open, now);
        this.open.delete(id);
      }
      return;
    }
    if (seen === 'unknown') {
      // Its host stopped answering: what it last said held until the host's last answer.
      const copies = this.inv.copies(id).filter((c) => c.stale);
      const contact = Math.max(...copies.map((c) => Date.parse(this.inv.host(c.hostId)?.lastContact ?? '') || 0));
      if (open) {
        // Written now: a restart while the host is down must not date a change before what was seen.
        open.seenAt = Math.max(open.seenAt, contact);
        await markSeen(db, [open]);
      }
      return;
    }
    const next = facts(seen);
    if (!open) {
      // A machine seen for the first time counts from now; one that comes back (its host registered again) from
      // VirtualBox's change if it changed since it left, else from now (where it was meanwhile is not known).
      const end = await lastEnd(db, id);
      const startedAt = end !== null && seen.changedAt > end ? Math.min(seen.changedAt, now) : now;
      const iv: OpenInterval = { machineId: id, ...next, startedAt, seenAt: now };
      await insertInterval(db, iv);
      this.open.set(id, iv);
      return;
    }
    if (sameFacts(open, next)) {
      open.seenAt = now;
      return;
    }
    // A new state class starts when VirtualBox says it did; any other change when it is seen.
    const at = open.state !== next.state ? clamp(seen.changedAt, Math.max(open.startedAt, open.seenAt), now) : now;
    this.open.set(id, await switchInterval(db, open, at, next, now));
  }

  /**
   * Every machine again (the start, and each tick): its interval checked, and an open interval whose machine
   * no host lists any more, while every host answers, closed when it was last seen (deleted while Nimbox was down).
   */
  private async reconcileAll(): Promise<void> {
    const now = Date.now();
    const listed = new Set<string>();
    for (const m of this.inv.machines()) {
      listed.add(m.id);
      await this.check(m.id, now);
    }
    if (this.inv.hosts().every((h) => h.health === 'up')) {
      const db = await this.db();
      for (const [id, iv] of this.open) {
        if (listed.has(id)) continue;
        await closeInterval(db, iv, iv.seenAt);
        this.open.delete(id);
      }
    }
    await this.persistSeen();
  }

  /** Writes when each open interval was last seen true (cheap: a few rows, once per tick and at stop). */
  private async persistSeen(): Promise<void> {
    await markSeen(await this.db(), [...this.open.values()]);
  }

  /** Samples the disks' logical size; a row only for a machine whose size changed since its last one. */
  private async sampleDisks(): Promise<void> {
    if (this.stopped) return;
    try {
      const now = Date.now();
      const sizes = await diskBytesByMachine(this.inv);
      const changed = [...sizes].filter(([id, bytes]) => this.diskBytes.get(id) !== bytes).map(([machineId, bytes]) => ({ machineId, bytes }));
      await insertDiskSamples(await this.db(), changed, now);
      for (const c of changed) this.diskBytes.set(c.machineId, c.bytes);
    } catch (e) {
      console.error(JSON.stringify({ level: 'error', msg: 'usage: disk sampling failed', error: (e as Error).message }));
    }
  }

  /** The disk sample now (tests and the start use it; the hourly tick does the same). */
  async sampleNow(): Promise<void> {
    await this.sampling;
    this.sampling = this.sampleDisks();
    await this.sampling;
  }

  /** Stops listening; the open intervals stay open, seen true until now. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.ready.catch(() => undefined);
    await this.queue;
    await this.sampling;
    if (this.settled) {
      const now = Date.now();
      // Only what the inventory still shows as it is now: a machine on a host that is down keeps its last answer's time.
      const confirmed = [...this.open.values()].filter((iv) => {
        const o = observe(this.inv.copies(iv.machineId));
        return typeof o === 'object' && sameFacts(iv, facts(o));
      });
      await markSeen(await this.db(), confirmed, now).catch(() => undefined);
    }
  }
}

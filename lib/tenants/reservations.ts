import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ProblemError } from '@/lib/api/problem';
import { getInventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { getCoord, type Coord } from '@/lib/coord';
import { liveInstances } from '@/lib/coord/instances';
import { dialectOf, getDb, type DB } from '@/lib/db';
import { getTenantByName, type Tenant } from './index';
import { checkQuota, quotaReached, tenantUsage, type Demand } from './quota';

/**
 * Quota reservations: a create or edit that grows a tenant's usage holds what it asks for in the
 * database (quota_reservations) from the moment its request is accepted until the inventory shows the
 * result, or until it fails. The check and the reservation happen in one transaction, so parallel
 * requests see each other: five creates at 3 of 5 machines give two tasks and three refusals.
 *
 * While held, the machine counts as the larger of what the inventory shows of it and what is held
 * (lib/tenants/quota tenantUsage), so it never counts twice nor drops out between the task's end and
 * the inventory's first sight of it.
 *
 * Reservations belong to the jobs of the instance that made them (its lib/coord instanceId is on the row):
 * the next check drops the rows of this instance that none of its jobs holds (a job that ended without
 * releasing) and those of instances no longer alive (stopped or dead), never a live instance's.
 */

// The ids this process's jobs hold; on globalThis, as Next's route bundles share one process.
const g = globalThis as typeof globalThis & { __nimboxQuotaHeld?: Set<string> };
const held = (): Set<string> => (g.__nimboxQuotaHeld ??= new Set());

/** How long a succeeded job's reservation waits for the inventory to show its result. */
const LAND_TIMEOUT_MS = 60_000;

export interface QuotaRequest {
  /** The tenant's name. */
  tenant: string;
  /** The new machine's UUID, or the edited machine's: left out of the usage, as the demand stands for it. */
  machineId: string;
  /** What the machine will have, checked as checkQuota does (an absent field is not checked) and then held. */
  demand: Demand;
  /** The live inventory's machines (read inside the transaction). */
  machines: () => MachineSummary[];
  /**
   * Replaces the machine quotas' check (media operations, lib/media/quota): given the tenant and the
   * reservations other requests hold for it (this one left out), throws a 409 ProblemError when the demand does not fit.
   */
  check?: (tenant: Tenant, held: readonly HeldRow[]) => void;
}

/** A reservation held by another request, as a custom check sees it. */
export interface HeldRow {
  /** Its key: a machine's UUID, or `medium:<location key>` for a media operation. */
  machineId: string;
  diskGB: number;
}

export interface Reservation {
  readonly id: string;
  /** Records the task holding it (for whoever reads the table). */
  attach(taskId: string): Promise<void>;
  /** Drops it (idempotent). */
  release(): Promise<void>;
  /** Drops it once `landed()` holds, checked at each inventory change, or after a minute at most. */
  releaseWhen(landed: () => boolean): void;
}

/** The advisory lock (PostgreSQL) serializing every instance's check-and-reserve. */
const RESERVE_LOCK = 0x4e424f51; // "NBOQ"

/**
 * Runs `fn` serialized against every other check-and-reserve, on any instance.
 * SQLite: BEGIN IMMEDIATE on Kysely's one connection: the connection's mutex keeps this process's other
 * queries out, and the write lock taken at BEGIN keeps other writers out (Kysely's transaction() issues a
 * deferred BEGIN, whose read-then-write could interleave with another writer's).
 * PostgreSQL: a transaction that first takes a transaction-scoped advisory lock; reads after it see every
 * reservation committed before (read committed), so parallel requests on several instances see each other.
 */
async function serialized<T>(db: DB, fn: (conn: DB) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${RESERVE_LOCK})`.execute(trx);
      return fn(trx);
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await fn(conn);
      await sql`commit`.execute(conn);
      return out;
    } catch (e) {
      await sql`rollback`.execute(conn);
      throw e;
    }
  });
}

/**
 * Checks the demand against the tenant's quotas, counting the machines the inventory shows and the
 * reservations in flight, and reserves it, in one transaction: a 409 problem (ProblemError, one field
 * error per exceeded quota, naming it and the excess) when it does not fit. An unknown tenant has no quota.
 */
export async function reserveQuota(req: QuotaRequest, database?: DB, coordination?: Coord): Promise<Reservation> {
  const db = database ?? (await getDb());
  const coord = coordination ?? (await getCoord());
  const id = randomUUID();
  const alive = await liveInstances(coord);
  await serialized(db, async (conn) => {
    const mine = [...held()];
    // Stale: this instance's rows no job of it holds, and rows of instances not alive (or from before instances were recorded).
    await conn.deleteFrom('quota_reservations').where((eb) => eb.or([
      eb('instance_id', 'is', null),
      eb('instance_id', 'not in', alive),
      mine.length ? eb.and([eb('instance_id', '=', coord.instanceId), eb('id', 'not in', mine)]) : eb('instance_id', '=', coord.instanceId),
    ])).execute();
    const tenant = await getTenantByName(req.tenant, conn);
    const rows = await conn.selectFrom('quota_reservations').selectAll().where('tenant', '=', req.tenant).execute();
    if (tenant && req.check) {
      try {
        req.check(tenant, rows.filter((r) => r.machine_id !== req.machineId).map((r) => ({ machineId: r.machine_id, diskGB: r.disk_gb })));
      } catch (e) {
        // The custom check is the media disk quota's (checkQuota tells the webhooks itself).
        if (e instanceof ProblemError && e.problem.status === 409 && tenant.maxDiskGB !== null) {
          for (const f of e.problem.errors ?? []) {
            quotaReached({ tenant: tenant.name, quota: 'maxDiskGB', used: null, limit: tenant.maxDiskGB, requested: req.demand.diskGB ?? 0, field: f.field, message: f.message });
          }
        }
        throw e;
      }
    } else if (tenant) {
      const holding = rows.map((r) => ({ machineId: r.machine_id, machines: r.machines, vcpus: r.vcpus, memoryMB: r.memory_mb }));
      checkQuota(tenant, tenantUsage(req.machines(), tenant.name, req.machineId, holding), req.demand);
    }
    const d = req.demand;
    await conn.insertInto('quota_reservations').values({
      id, tenant: req.tenant, task_id: null, machine_id: req.machineId,
      machines: d.machines ?? 0, vcpus: d.vcpus ?? 0, memory_mb: d.memoryMB ?? 0, disk_gb: d.diskGB ?? 0,
      created_at: new Date().toISOString(), instance_id: coord.instanceId,
    }).execute();
    held().add(id);
  }).catch((e: unknown) => {
    held().delete(id);
    throw e;
  });

  let released: Promise<void> | null = null;
  const release = (): Promise<void> => {
    released ??= (async () => {
      held().delete(id);
      await db.deleteFrom('quota_reservations').where('id', '=', id).execute();
    })().catch((e: unknown) => console.error(`nimbox: could not release quota reservation ${id}`, e));
    return released;
  };
  return {
    id,
    async attach(taskId) {
      await db.updateTable('quota_reservations').set({ task_id: taskId }).where('id', '=', id).execute();
    },
    release,
    releaseWhen(landed) {
      if (landed()) return void release();
      const inventory = getInventory();
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        void release();
      };
      const timer = setTimeout(done, LAND_TIMEOUT_MS);
      timer.unref?.();
      const unsubscribe = inventory.subscribe(() => {
        if (landed()) done();
      }, done);
    },
  };
}

/**
 * A task's job holding a reservation: released as soon as the job fails (or is canceled), and once
 * `landed()` — the inventory shows what it made — after it succeeded.
 */
export function holding<C>(reservation: Reservation | null, landed: () => boolean, job: (ctx: C) => Promise<void>): (ctx: C) => Promise<void> {
  if (!reservation) return job;
  return async (ctx) => {
    try {
      await job(ctx);
    } catch (e) {
      await reservation.release();
      throw e;
    }
    reservation.releaseWhen(landed);
  };
}

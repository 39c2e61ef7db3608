import type { IMachine, ISession, IVirtualBox, IWebsessionManager } from './objects';
import type { LockType } from './types';

/**
 * Locks a registered machine (or one found by name or id) with a new session, runs fn
 * with the session and unlocks, whatever happens: the pattern every settings change,
 * snapshot and console read follows. fn reads `session.getMachine()` (the copy that
 * takes changes) or `session.getConsole()` as it needs.
 */
export async function withLockedMachine<T>(
  vbox: IVirtualBox, wsm: IWebsessionManager, machine: IMachine | string, lockType: LockType,
  fn: (session: ISession) => Promise<T>,
): Promise<T> {
  const m = typeof machine === 'string' ? await vbox.findMachine(machine) : machine;
  const session = await wsm.getSessionObject(vbox);
  await m.lockMachine(session, lockType);
  try {
    return await fn(session);
  } finally {
    await session.unlockMachine().catch(() => undefined);
  }
}

/**
 * The TCP port a running machine's VRDE server listens on, which only the machine's
 * console knows (a shared lock reads it); null when it is not running, its VRDE server is
 * not active, or the lock is refused.
 */
export async function vrdePortInUse(vbox: IVirtualBox, wsm: IWebsessionManager, machine: IMachine | string): Promise<number | null> {
  try {
    return await withLockedMachine(vbox, wsm, machine, 'Shared', async (session) => {
      const info = await (await session.getConsole())?.getVRDEServerInfo();
      return info && info.active && info.port > 0 ? info.port : null;
    });
  } catch {
    return null;
  }
}

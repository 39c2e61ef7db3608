import type { IMachine, ISession, IVirtualBox, IWebsessionManager } from './objects';
import type { LockType } from './types';

/**
 * Locks a registered machine with a new session, runs fn on the session's machine and unlocks,
 * whatever happens: the pattern every settings change, snapshot and console read follows.
 */
export async function withLockedMachine<T>(
  vbox: IVirtualBox, wsm: IWebsessionManager, nameOrId: string, lockType: LockType,
  fn: (m: IMachine, session: ISession) => Promise<T>,
): Promise<T> {
  const machine = await vbox.findMachine(nameOrId);
  const session = await wsm.getSessionObject(vbox);
  await machine.lockMachine(session, lockType);
  try {
    return await fn(await session.getMachine(), session);
  } finally {
    await session.unlockMachine().catch(() => undefined);
  }
}

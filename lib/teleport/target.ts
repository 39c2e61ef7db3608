/**
 * What Nimbox does to a machine's copy on a teleport's target host: configure its teleporter (a
 * port and a one-time password), and afterwards make sure it does not wait for a teleport any
 * more — powered off if it still waits, its teleporter disabled and its password cleared.
 *
 * VirtualBox allows turning the teleporter off at any time (a session's machine; Machine::
 * setTeleporterEnabled: "clearing it is always permitted"), but changes the password only while
 * the machine is not running. A copy that now runs keeps its (hashed, one-time, useless) password
 * until it next stops, marked `nimbox/teleport=password` for the janitor (janitor.ts).
 */
import type { VBoxClient } from '@/lib/vbox/client';
import { isVBoxError } from '@/lib/vbox/errors';
import { withLockedMachine } from '@/lib/vbox/session';
import type { IMachine, ISession, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import type { MachineState } from '@/lib/vbox/types';
import { TELEPORT_MARK } from './spec';

/** A copy in one of these states has no VM process: its settings can change under a write lock. */
export const OFF: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported', 'Saved', 'AbortedSaved'];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Unlocks a session that is still locked (VirtualBox unlocked it already when its VM went away). */
export async function unlockQuietly(session: ISession | null | undefined): Promise<void> {
  if (!session) return;
  try {
    if ((await session.getState()) === 'Locked') await session.unlockMachine();
  } catch {
    // The session or its websession is gone: nothing to unlock.
  }
}

/** The machine's state on a host, or null when the host does not answer. */
export async function stateOn(client: VBoxClient, id: string): Promise<MachineState | null> {
  try {
    return await client.scope(async (vbox) => (await vbox.findMachine(id)).getState());
  } catch {
    return null;
  }
}

/** Runs fn on the session's machine under a lock (Shared for a running machine, else Write) and saves. */
async function withSessionMachine<T>(
  vbox: IVirtualBox, wsm: IWebsessionManager, id: string, shared: boolean, fn: (m: IMachine, session: ISession) => Promise<T>,
): Promise<T> {
  return withLockedMachine(vbox, wsm, id, shared ? 'Shared' : 'Write', async (session) => {
    const m = await session.getMachine();
    const out = await fn(m, session);
    await m.saveSettings();
    return out;
  });
}

export type CleanResult =
  /** Teleporter off, password cleared, no mark left. */
  | 'clean'
  /** Teleporter off; the password stays until the machine stops (it runs). */
  | 'password-pending';

/**
 * Makes the copy of `id` on this host stop waiting for a teleport: powers it off when it still
 * waits (TeleportingIn; `powerOffWaiting`), then disables its teleporter and clears the password.
 * Never powers off a copy that runs. Throws when the host does not answer.
 */
export async function cleanTarget(client: VBoxClient, id: string, opts: { powerOffWaiting: boolean }): Promise<CleanResult> {
  return client.write(async (vbox, wsm) => {
    const machine = await vbox.findMachine(id);
    let state = await machine.getState();
    if (state === 'TeleportingIn' && opts.powerOffWaiting) {
      try {
        await withLockedMachine(vbox, wsm, machine, 'Shared', async (session) => {
          const console = await session.getConsole();
          // It may have been handed the machine in the meantime: only a waiting copy is stopped.
          if (console && (await machine.getState()) === 'TeleportingIn') await (await console.powerDown()).wait({ intervalMs: 50, timeoutMs: 60_000 });
        });
      } catch (e) {
        // It powered itself off meanwhile (a failed load does): fine; anything else is an error.
        if (!isVBoxError(e) || (await machine.getState()) === 'TeleportingIn') throw e;
      }
    }
    // A VM on its way down (Stopping) is off in a moment.
    for (let i = 0; i < 150 && !OFF.includes(state) && state !== 'Running' && state !== 'Paused' && state !== 'TeleportingIn'; i++) {
      await sleep(20);
      state = await machine.getState();
    }
    const running = !OFF.includes(state);
    return withSessionMachine(vbox, wsm, id, running, async (m) => {
      if (await m.getTeleporterEnabled()) await m.setTeleporterEnabled(false);
      let result: CleanResult = 'clean';
      try {
        if ((await m.getTeleporterPassword()) !== '') await m.setTeleporterPassword('');
      } catch (e) {
        if (!isVBoxError(e, 'VBOX_E_INVALID_VM_STATE')) throw e;
        result = 'password-pending';
      }
      if (result === 'clean') {
        if ((await m.getExtraData(TELEPORT_MARK)) !== '') await m.setExtraData(TELEPORT_MARK, '');
      } else {
        await m.setExtraData(TELEPORT_MARK, 'password');
      }
      return result;
    });
  }, { release: true });
}

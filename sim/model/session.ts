import { fail, type ManagedObject } from './base';
import { Machine, type MachineCore } from './machine';
import type { Console } from './vm';

/**
 * ISession: a client's handle on one machine, obtained with lockMachine (a write lock, or a share
 * of an existing lock) or launchVMProcess (Remote).
 */
export class Session implements ManagedObject {
  readonly iface = 'ISession';
  state: 'Unlocked' | 'Locked' | 'Spawning' | 'Unlocking' = 'Unlocked';
  type: 'Null' | 'WriteLock' | 'Remote' | 'Shared' = 'Null';
  private name = '';
  core: MachineCore | null = null;
  private machine: Machine | null = null;
  /** Sessions sharing this session's write lock: they lose it when this one unlocks. */
  private readonly sharers = new Set<Session>();
  private sharing: Session | null = null;

  /** Machine::lockMachine, its refusals raised by the machine object it was called on. */
  lock(on: Machine, lockType: string): void {
    const core = on.core;
    if (this.state !== 'Unlocked') on.err('VBOX_E_INVALID_OBJECT_STATE', 'The given session is busy');
    if (!core.registered || on.snapshot) on.err('E_UNEXPECTED', `The machine '${core.name}' is not registered`);
    if (core.sessionState === 'Locked' && lockType === 'Shared') {
      // A share of the lock holder's session machine, and the console when a VM holds it.
      const holder = core.lockedBy;
      // The VM process's session machine when the VM holds the lock (changes reach the running VM through it).
      this.attach(core, 'Shared', holder instanceof Session ? holder.machine ?? undefined : core.vm?.machine);
      if (holder instanceof Session) {
        holder.sharers.add(this);
        this.sharing = holder;
      } else {
        core.vm?.sharedSessions.add(this);
      }
      return;
    }
    if (core.sessionState !== 'Unlocked') {
      on.err('VBOX_E_INVALID_OBJECT_STATE', `The machine '${core.name}' is already locked for a session (or being unlocked)`);
    }
    // Any lock type on an unlocked machine makes this the write-locking session (its type WriteLock).
    this.attach(core, 'WriteLock');
    core.lockedBy = this;
    core.setSessionState('Locked');
  }

  /** Binds this session to a machine; used by lockMachine and by launchVMProcess. */
  attach(core: MachineCore, type: 'WriteLock' | 'Shared' | 'Remote', machine?: Machine): void {
    this.core = core;
    this.type = type;
    this.state = 'Locked';
    this.machine = machine ?? new Machine(core, true);
  }

  /** The machine's VM ended or the lock was dropped elsewhere. */
  detach(): void {
    // The write-locking session's machine goes with it (SessionMachine::uninit); a share only lets go.
    // The VM process's session machine stays while the VM runs (the VM ends it).
    if (this.type !== 'Shared' && this.machine !== this.core?.vm?.machine) this.machine?.uninit();
    this.sharing?.sharers.delete(this);
    this.sharing = null;
    this.core = null;
    this.machine = null;
    this.type = 'Null';
    this.state = 'Unlocked';
  }

  /** The machine this session works on (its settings, not yet saved, included). */
  get sessionMachine(): Machine | null { return this.machine; }

  /** CHECK_OPEN in SessionImpl.cpp. */
  private open(): MachineCore {
    if (this.state !== 'Locked' || !this.core) fail('E_UNEXPECTED', `The session is not locked (session state: ${this.state})`, 'ISession');
    return this.core;
  }

  getState() { return this.state; }
  getType() { this.open(); return this.type; }
  getName() { return this.name; }
  setName(n: string) { this.name = n; }
  getMachine() {
    this.open();
    return this.machine;
  }
  getConsole(): Console | null {
    const core = this.open();
    return this.type === 'WriteLock' ? null : core.vm?.console ?? null;
  }
  async unlockMachine() {
    const core = this.open();
    // The write lock's machine rolls back (SessionMachine::uninit): implicit differencing images go.
    const pending = this.type === 'WriteLock' && core.lockedBy === this ? this.machine?.dropImplicit() : undefined;
    if (this.type === 'WriteLock' && core.lockedBy === this) {
      // Changes that were not saved are rolled back, as VirtualBox does when a session closes.
      for (const s of [...this.sharers]) s.detach();
      core.lockedBy = null;
      core.setSessionState('Unlocked');
    }
    core.vm?.sharedSessions.delete(this);
    this.detach();
    await pending;
  }
}

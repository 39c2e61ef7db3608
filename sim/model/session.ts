import { fail, type ManagedObject } from './base';
import { Machine, type MachineCore } from './machine';
import type { Console } from './vm';

/**
 * ISession: a client's handle on one machine, obtained with lockMachine (WriteLock
 * or Shared) or launchVMProcess (Remote).
 */
export class Session implements ManagedObject {
  readonly iface = 'ISession';
  state: 'Unlocked' | 'Locked' | 'Spawning' | 'Unlocking' = 'Unlocked';
  type: 'Null' | 'WriteLock' | 'Remote' | 'Shared' = 'Null';
  private name = '';
  core: MachineCore | null = null;
  private machine: Machine | null = null;

  checkFree(): void {
    if (this.state !== 'Unlocked') fail('VBOX_E_INVALID_OBJECT_STATE', 'The given session is busy', 'IMachine', 'Machine');
  }

  lock(core: MachineCore, lockType: string): void {
    this.checkFree();
    if (lockType === 'Null') fail('E_INVALIDARG', 'Invalid lock type Null', 'IMachine', 'Machine');
    const shared = lockType === 'Shared' && core.sessionState === 'Locked';
    if (!shared && core.sessionState !== 'Unlocked') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `The machine '${core.name}' is already locked by a session (or being locked or unlocked)`, 'IMachine', 'Machine');
    }
    if (shared && !core.vm) fail('VBOX_E_INVALID_SESSION_STATE', `The machine '${core.name}' is locked but has no running VM`, 'IMachine', 'Machine');
    this.attach(core, shared ? 'Shared' : 'WriteLock');
    if (!shared) {
      core.lockedBy = this;
      core.setSessionState('Locked');
    } else {
      core.vm?.sharedSessions.add(this);
    }
  }

  /** Binds this session to a machine; used by lockMachine and by launchVMProcess. */
  attach(core: MachineCore, type: 'WriteLock' | 'Shared' | 'Remote'): void {
    this.core = core;
    this.type = type;
    this.state = 'Locked';
    this.machine = new Machine(core, true);
  }

  /** The machine's VM ended or the lock was dropped elsewhere. */
  detach(): void {
    this.core = null;
    this.machine = null;
    this.type = 'Null';
    this.state = 'Unlocked';
  }

  getState() { return this.state; }
  getType() { return this.type; }
  getName() { return this.name; }
  setName(n: string) { this.name = n; }
  getMachine() {
    if (!this.machine) fail('VBOX_E_INVALID_VM_STATE', 'Session is not locked', 'ISession', 'Session');
    return this.machine;
  }
  getConsole(): Console | null {
    if (!this.core) fail('VBOX_E_INVALID_VM_STATE', 'Session is not locked', 'ISession', 'Session');
    return this.type === 'WriteLock' ? null : this.core.vm?.console ?? null;
  }
  unlockMachine() {
    const core = this.core;
    if (!core || this.state !== 'Locked') fail('E_UNEXPECTED', 'Session is not locked', 'ISession', 'Session');
    if (this.type === 'WriteLock' && core.lockedBy === this) {
      // Changes that were not saved are rolled back, as VirtualBox does when a session closes.
      core.lockedBy = null;
      core.setSessionState('Unlocked');
    }
    core.vm?.sharedSessions.delete(this);
    this.detach();
  }
}

import { INTERFACE_IDS, resultCodeInt, VBoxFault } from '../soap/faults';
import { fail, uuid, type ManagedObject } from './base';
import { EventSource } from './events';

/** IVirtualBoxErrorInfo: the error a fault or a failed progress carries. */
export class VirtualBoxErrorInfo implements ManagedObject {
  readonly iface = 'IVirtualBoxErrorInfo';
  constructor(readonly fault: VBoxFault, readonly next: VirtualBoxErrorInfo | null = null) {}
  getResultCode() { return resultCodeInt(this.fault.resultCode); }
  getResultDetail() { return 0; }
  getInterfaceID() { return INTERFACE_IDS[this.fault.interfaceName] ?? ''; }
  getComponent() { return this.fault.component; }
  getText() { return this.fault.message; }
  getNext() { return this.next; }
}

export interface ProgressOptions {
  description: string;
  initiator?: ManagedObject | null;
  cancelable?: boolean;
  /** Operation descriptions; weights are equal. */
  operations?: string[];
}

/**
 * IProgress. A job drives it with `step(percent, operation)` and ends with
 * `complete()` or `failWith(fault)`; clients poll or waitForCompletion.
 */
export class Progress implements ManagedObject {
  readonly iface = 'IProgress';
  readonly id = uuid();
  private percent = 0;
  private operation = 0;
  private completed = false;
  private canceled = false;
  private resultCode = 0;
  private errorInfo: VirtualBoxErrorInfo | null = null;
  private timeout = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly cancelHandlers: Array<() => void> = [];
  private readonly events = new EventSource();
  readonly operations: string[];

  constructor(readonly opts: ProgressOptions) {
    this.operations = opts.operations?.length ? opts.operations : [opts.description];
  }

  /** Runs `job` in the background; a thrown VBoxFault fails the progress. */
  static run(opts: ProgressOptions, job: (p: Progress) => Promise<void>): Progress {
    const p = new Progress(opts);
    setImmediate(() => {
      job(p).then(
        () => p.complete(),
        (e: unknown) => p.failWith(e instanceof VBoxFault ? e : new VBoxFault('VBOX_E_IPRT_ERROR', String((e as Error)?.message ?? e))),
      );
    });
    return p;
  }

  get isCompleted() { return this.completed; }
  get isCanceled() { return this.canceled; }
  get failed() { return this.completed && this.resultCode !== 0; }
  get error() { return this.errorInfo; }

  step(percent: number, operation = this.operation): void {
    if (this.completed) return;
    this.percent = Math.max(this.percent, Math.min(99, Math.floor(percent)));
    this.operation = Math.min(operation, this.operations.length - 1);
  }

  complete(): void {
    if (this.completed) return;
    this.percent = 100;
    this.operation = this.operations.length - 1;
    this.finish();
  }

  /** Ends with the fault's result code; `withInfo` false when VirtualBox lets its error info go before notifying. */
  failWith(fault: VBoxFault, withInfo = true): void {
    if (this.completed) return;
    this.resultCode = resultCodeInt(fault.resultCode);
    this.errorInfo = withInfo ? new VirtualBoxErrorInfo(fault) : null;
    this.finish();
  }

  onCancel(f: () => void): void { this.cancelHandlers.push(f); }

  private finish(): void {
    this.completed = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when completed, or after `timeout` ms (negative: no limit). */
  wait(timeout = -1): Promise<void> {
    if (this.completed || timeout === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); resolve(); };
      const timer = timeout > 0 ? setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, timeout) : undefined;
      this.waiters.push(done);
    });
  }

  getId() { return this.id; }
  getDescription() { return this.opts.description; }
  getInitiator() { return this.opts.initiator ?? null; }
  getCancelable() { return !!this.opts.cancelable; }
  getPercent() { return this.percent; }
  getTimeRemaining() { return this.completed ? 0 : -1; }
  getCompleted() { return this.completed; }
  getCanceled() { return this.canceled; }
  getResultCode() {
    if (!this.completed) fail('E_FAIL', 'Result code is not available, operation is still in progress', 'IProgress');
    return this.resultCode;
  }
  getErrorInfo() {
    if (!this.completed) fail('E_FAIL', 'Error info is not available, operation is still in progress', 'IProgress');
    return this.errorInfo;
  }
  getOperationCount() { return this.operations.length; }
  getOperation() { return this.operation; }
  getOperationDescription() { return this.operations[this.operation]; }
  getOperationPercent() {
    if (this.completed) return 100;
    const share = 100 / this.operations.length;
    return Math.max(0, Math.min(99, Math.floor(((this.percent - this.operation * share) / share) * 100)));
  }
  getOperationWeight() { return 1; }
  getTimeout() { return this.timeout; }
  setTimeout(timeout: number) { this.timeout = timeout; }
  getEventSource() { return this.events; }
  async waitForCompletion(timeout: number) { await this.wait(timeout); }
  async waitForOperationCompletion(operation: number, timeout: number) {
    if (operation >= this.operations.length) fail('E_INVALIDARG', 'Argument aOperation is invalid (must be aOperation < m_cOperations)', 'IProgress');
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    while (!this.completed && this.operation <= operation && Date.now() < deadline) await this.wait(Math.min(50, deadline - Date.now()));
  }
  cancel() {
    if (this.completed) return;
    if (!this.opts.cancelable) fail('E_FAIL', 'Operation cannot be canceled', 'IProgress');
    this.canceled = true;
    for (const f of this.cancelHandlers.splice(0)) f();
    this.failWith(new VBoxFault('E_FAIL', 'Operation was canceled by the user', 'ProgressWrap', 'IProgress'));
  }
}

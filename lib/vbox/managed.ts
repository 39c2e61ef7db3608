/**
 * The base of every typed VirtualBox object: a managed object reference in one websession plus the
 * caller that reaches its vboxwebsrv. Subclasses (objects.ts) name each call with its full WSDL
 * operation (e.g. 'IMachine_getName') so that the SDK reference and the WSDL read straight onto them.
 */
import type { CallOptions, Ref, SoapArgs, SoapCaller, SoapResult } from './transport';

/** Hears of every reference the typed objects receive or release (VBoxClient's scopes). */
export interface RefObserver {
  seen(ref: string): void;
  released(ref: string): void;
}

/** What a typed object carries besides its reference; objects derived from it share it. */
export interface ObjectContext {
  readonly caller: SoapCaller;
  readonly refs?: RefObserver;
}

/** Extra time given to the HTTP request of a call that waits on the server (long polls). */
export const LONG_POLL_MARGIN_MS = 30_000;

export type ObjectClass<T> = new (ctx: ObjectContext, ref: string) => T;

// --- conversions of response text

export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && '#text' in v) return String((v as Record<string, unknown>)['#text']);
  return String(v);
}

export function int(v: unknown): number {
  const s = str(v).trim();
  return s === '' ? 0 : Number(s);
}

export function bool(v: unknown): boolean {
  const s = str(v).trim();
  return s === 'true' || s === '1';
}

export function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * IManagedObjectRef: what every object of the web service is. `ref` is vboxwebsrv's managed object
 * reference ("<websession>-<object>", 16 hex digits each), valid in its websession only.
 */
export class IManagedObjectRef implements Ref {
  constructor(readonly ctx: ObjectContext, readonly ref: string) {}

  /** The interface the reference was handed out as (e.g. 'IEvent' for an event from getEvent). */
  getInterfaceName(): Promise<string> {
    return this._str('IManagedObjectRef_getInterfaceName');
  }

  /** Releases the reference in vboxwebsrv (the object itself lives on in VirtualBox). */
  async release(): Promise<void> {
    await this.ctx.caller.call('IManagedObjectRef_release', { _this: this.ref });
    this.ctx.refs?.released(this.ref);
  }

  /** The websession this reference belongs to. */
  get websession(): string {
    return this.ref.slice(0, 16);
  }

  equals(other: Ref | null | undefined): boolean {
    return !!other && other.ref === this.ref;
  }

  toString(): string {
    return `${this.constructor.name}(${this.ref})`;
  }

  toJSON(): { interface: string; ref: string } {
    return { interface: this.constructor.name, ref: this.ref };
  }

  // --- helpers for subclasses

  protected _call(operation: string, args: SoapArgs = {}, opts?: CallOptions): Promise<SoapResult> {
    return this.ctx.caller.call(operation, { _this: this.ref, ...args }, opts);
  }

  protected async _void(operation: string, args?: SoapArgs, opts?: CallOptions): Promise<void> {
    await this._call(operation, args, opts);
  }

  protected async _str(operation: string, args?: SoapArgs): Promise<string> {
    return str((await this._call(operation, args)).returnval);
  }

  protected async _int(operation: string, args?: SoapArgs): Promise<number> {
    return int((await this._call(operation, args)).returnval);
  }

  protected async _bool(operation: string, args?: SoapArgs): Promise<boolean> {
    return bool((await this._call(operation, args)).returnval);
  }

  protected async _enum<T extends string>(operation: string, args?: SoapArgs): Promise<T> {
    return str((await this._call(operation, args)).returnval) as T;
  }

  protected async _strs(operation: string, args?: SoapArgs): Promise<string[]> {
    return list((await this._call(operation, args, { arrays: ['returnval'] })).returnval).map(str);
  }

  protected async _enums<T extends string>(operation: string, args?: SoapArgs): Promise<T[]> {
    return (await this._strs(operation, args)) as T[];
  }

  protected async _ints(operation: string, args?: SoapArgs): Promise<number[]> {
    return list((await this._call(operation, args, { arrays: ['returnval'] })).returnval).map(int);
  }

  /** A reference that may be null (the empty reference). */
  protected async _objOrNull<T>(cls: ObjectClass<T>, operation: string, args?: SoapArgs, opts?: CallOptions): Promise<T | null> {
    return this._wrap(cls, str((await this._call(operation, args, opts)).returnval));
  }

  /** A reference VirtualBox always returns. */
  protected async _obj<T>(cls: ObjectClass<T>, operation: string, args?: SoapArgs, opts?: CallOptions): Promise<T> {
    const ref = str((await this._call(operation, args, opts)).returnval);
    const o = this._wrap(cls, ref);
    if (!o) throw new TypeError(`${operation} returned the null reference`);
    return o;
  }

  protected async _objs<T>(cls: ObjectClass<T>, operation: string, args?: SoapArgs): Promise<T[]> {
    const refs = list((await this._call(operation, args, { arrays: ['returnval'] })).returnval).map(str);
    return refs.map((r) => this._wrap(cls, r)).filter((o): o is T => o !== null);
  }

  /** A typed object for a reference received from this object's websession ('' → null). */
  protected _wrap<T>(cls: ObjectClass<T>, ref: string): T | null {
    return wrap(this.ctx, cls, ref);
  }
}

export function wrap<T>(ctx: ObjectContext, cls: ObjectClass<T>, ref: string): T | null {
  if (!ref) return null;
  ctx.refs?.seen(ref);
  return new cls(ctx, ref);
}

// Every operation of the contract vboxsim publishes (contract-data.ts, held against the official WSDL by
// wsdl.test.ts) has a method on the class that IMPLEMENTATIONS maps its interface to: a client never
// meets "is not implemented by vboxsim" for an operation the WSDL promises.
import { describe, expect, it } from 'vitest';
import { IMPLEMENTATIONS } from '../host';
import { contract } from './contract';

/** Interfaces the SOAP layer answers itself (websessions, references). */
const SERVED_BY_SOAP_LAYER = new Set(['IManagedObjectRef', 'IWebsessionManager']);

/**
 * Operations allowed to lack a method, each with its reason. Empty: every interface in the contract is
 * complete (IGuest's session and drag-and-drop members answer as a VirtualBox without them does).
 */
const NOT_YET: Record<string, string> = {};

describe('the contract', () => {
  const ops = [...contract.operations.values()].filter((op) => !SERVED_BY_SOAP_LAYER.has(op.iface));

  it('maps every interface to a class', () => {
    const without = [...new Set(ops.map((op) => op.iface))].filter((i) => !IMPLEMENTATIONS[i] && !Object.keys(NOT_YET).some((n) => n.startsWith(`${i}_`)));
    expect(without).toEqual([]);
  });

  it('has a method for every operation on its class', () => {
    const missing = ops.filter((op) => {
      const cls = IMPLEMENTATIONS[op.iface] as unknown as { prototype: Record<string, unknown> } | undefined;
      return typeof cls?.prototype[op.member] !== 'function';
    }).map((op) => op.name);
    expect(missing.filter((n) => !NOT_YET[n])).toEqual([]);
    // An exception that is no longer needed goes from the list.
    expect(Object.keys(NOT_YET).filter((n) => !missing.includes(n))).toEqual([]);
  });
});

/**
 * lib/vbox: the only code in Nimbox that speaks SOAP, the boundary to vboxwebsrv (as vercel/commerce's
 * lib/shopify is to Shopify). This file exports the operations and everything callers need;
 * types.ts holds VirtualBox's enumerations and structures.
 *
 *   const client = new VBoxClient({ url, username, password });
 *   const names = await client.scope(async (vbox) => Promise.all((await vbox.getMachines()).map((m) => m.getName())));
 *   await client.write(async (vbox, wsm) => {
 *     const session = await wsm.getSessionObject(vbox);
 *     const machine = await vbox.findMachine('web-a1');
 *     await machine.lockMachine(session, 'Write');
 *     try {
 *       const m = await session.getMachine();
 *       await m.setMemorySize(2048);
 *       await m.saveSettings();
 *     } finally {
 *       await session.unlockMachine();
 *     }
 *   }, { release: true });
 */
import { IWebsessionManager } from './objects';
import { Transport, type VBoxLogger } from './transport';

export { VBoxClient, type RelogonEvent, type RunOptions, type VBoxClientOptions, type VBoxFn } from './client';
export {
  InvalidObjectError, RESULT_CODES, SoapFaultError, TransportError, VBoxError, isVBoxError, resultCodeHex, resultCodeName,
  resultCodeValue, websessionOf, type ResultCodeName, type TransportErrorKind,
} from './errors';
export * from './objects';
export { withLockedMachine } from './session';
export type * from './types';
export { ONLINE_STATES, TRANSIENT_STATES } from './types';
export { Transport, type CallOptions, type SoapArgs, type SoapCaller, type SoapResult, type TransportOptions, type TransportStats, type VBoxLogger } from './transport';

export interface ProbeOptions {
  url: string;
  username: string;
  password: string;
  /** Per call, ms (default 10 000). */
  timeoutMs?: number;
  logger?: VBoxLogger;
}

export interface HostProbe {
  /** IVirtualBox.version, e.g. '7.1.4'. */
  version: string;
  /** IVirtualBox.APIVersion, e.g. '7_1'. */
  apiVersion: string;
  revision: number;
  /** Not filled: VirtualBox's API has no host name attribute (IHost has domainName, not the name). */
  hostName?: string;
  cpus: number;
  memoryMB: number;
  memoryAvailableMB: number;
  /** IHost.operatingSystem and IHost.OSVersion. */
  os: string;
}

/**
 * "Test connection": logs on, reads what a host card shows, logs off. Rejects with the exact failure:
 * VBoxError (e.g. E_FAIL for a wrong user name or password, as vboxwebsrv answers it),
 * TransportError ("connection refused to http://…", timeout, …) or SoapFaultError.
 */
export async function probeHost(opts: ProbeOptions): Promise<HostProbe> {
  const transport = new Transport({ url: opts.url, timeoutMs: opts.timeoutMs ?? 10_000, maxConnections: 4, logger: opts.logger });
  const wsm = new IWebsessionManager({ caller: transport });
  try {
    const vbox = await wsm.logon(opts.username, opts.password);
    try {
      const [version, apiVersion, revision, host] = await Promise.all([
        vbox.getVersion(), vbox.getAPIVersion(), vbox.getRevision(), vbox.getHost(),
      ]);
      const [cpus, memoryMB, memoryAvailableMB, os, osVersion] = await Promise.all([
        host.getProcessorCount(), host.getMemorySize(), host.getMemoryAvailable(), host.getOperatingSystem(), host.getOSVersion(),
      ]);
      return { version, apiVersion, revision, cpus, memoryMB, memoryAvailableMB, os: [os, osVersion].filter(Boolean).join(' ') };
    } finally {
      await wsm.logoff(vbox).catch(() => undefined);
    }
  } finally {
    transport.close();
  }
}

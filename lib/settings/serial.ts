/**
 * Serial ports (PATCH …/settings/serial-ports { ports: [{ slot, …only what changes }] }): reading and writing
 * ISerialPort, each attribute's state rule (SerialPortImpl.cpp), and what a tenant's user may do. A serial
 * port reaches the host: a raw file or a pipe is created there, TCP listens or connects there, a host device
 * is the host's hardware. So tenants write files and pipes only inside the machine's own folder (on every host
 * it is registered on), take no TCP port the host keeps for itself or for Nimbox, and open no host device.
 */
import { z } from 'zod';
import type { User } from '@/lib/auth/policy';
import { fieldError, reservedPortProblem, type MachineCopy } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { withinRoot } from '@/lib/media/browse';
import type { IMachine } from '@/lib/vbox/objects';
import type { PortMode, UartType } from '@/lib/vbox/types';
import type { Dep } from './areas';
import type { SerialPortView } from './types';

export const PORT_MODES = ['Disconnected', 'HostPipe', 'HostDevice', 'RawFile', 'TCP'] as const satisfies readonly PortMode[];
const UART_TYPES = ['U16450', 'U16550A', 'U16750'] as const satisfies readonly UartType[];

/** The modes a caller may choose: host devices are the host's hardware, for admins. */
export const serialModesFor = (user: User): PortMode[] => PORT_MODES.filter((m) => m !== 'HostDevice' || user.role === 'admin');

const whole = (min: number, max: number) => z.number({ message: 'A number' }).int('A whole number').min(min, `At least ${min}`).max(max, `At most ${max}`);

const portPatch = z.strictObject({
  slot: whole(0, 3),
  enabled: z.boolean().optional(),
  hostMode: z.enum(PORT_MODES, { message: `One of ${PORT_MODES.join(', ')}` }).optional(),
  /** The file, pipe or device; for TCP the port to listen on (server) or host:port to connect to. */
  path: z.string().trim().max(1024, 'At most 1024 characters').optional(),
  server: z.boolean().optional(),
  ioAddress: whole(0, 0xffff).optional(),
  irq: whole(0, 255).optional(),
  uartType: z.enum(UART_TYPES, { message: `One of ${UART_TYPES.join(', ')}` }).optional(),
});
export type PortPatch = z.output<typeof portPatch>;

export const serialPatchSchema = z.strictObject({
  ports: z.array(portPatch).min(1, 'Give at least one port').max(4)
    .refine((l) => new Set(l.map((p) => p.slot)).size === l.length, { message: 'Each slot at most once' }),
});

/** ISerialPort's setters' state rules. */
export const SERIAL_DEPS: Record<Exclude<keyof SerialPortView, 'slot'>, Dep> = {
  enabled: 'Mutable', hostMode: 'MutableOrSavedOrRunning', path: 'MutableOrSavedOrRunning', server: 'MutableOrSavedOrRunning',
  ioAddress: 'Mutable', irq: 'Mutable', uartType: 'MutableOrSavedOrRunning',
};
export type PortField = keyof typeof SERIAL_DEPS;

export async function readPort(m: IMachine, slot: number): Promise<SerialPortView> {
  const p = await m.getSerialPort(slot);
  const [enabled, hostMode, path, server, ioAddress, irq, uartType] = await Promise.all([
    p.getEnabled(), p.getHostMode(), p.getPath(), p.getServer(), p.getIOAddress(), p.getIRQ(), p.getUartType(),
  ]);
  return { slot, enabled, hostMode, path, server, ioAddress, irq, uartType };
}

/** Every serial port slot the machine's platform has. */
export async function readPorts(m: IMachine): Promise<SerialPortView[]> {
  const count = await (await (await m.getPlatform()).getProperties()).getSerialPortCount();
  return Promise.all(Array.from({ length: count }, (_, slot) => readPort(m, slot)));
}

/**
 * Writes part of a port. VirtualBox takes a mode that needs a path only once the port has one, and an
 * empty path only in Disconnected mode: so a changing mode passes through Disconnected, the path is set, then the mode.
 */
export async function writePort(m: IMachine, slot: number, v: Partial<SerialPortView>): Promise<void> {
  const p = await m.getSerialPort(slot);
  if (v.hostMode !== undefined && (await p.getHostMode()) !== v.hostMode) await p.setHostMode('Disconnected');
  if (v.path !== undefined) await p.setPath(v.path);
  if (v.server !== undefined) await p.setServer(v.server);
  if (v.hostMode !== undefined && v.hostMode !== 'Disconnected') await p.setHostMode(v.hostMode);
  if (v.ioAddress !== undefined) await p.setIOAddress(v.ioAddress);
  if (v.irq !== undefined) await p.setIRQ(v.irq);
  if (v.uartType !== undefined) await p.setUartType(v.uartType);
  if (v.enabled !== undefined) await p.setEnabled(v.enabled);
}

/** TCP: a server's port, or a client's host:port; null when the path is neither. */
function tcpPort(path: string, server: boolean): number | null {
  const m = server ? /^(?:\S+:)?(\d{1,5})$/.exec(path) : /^\S+:(\d{1,5})$/.exec(path);
  const port = m ? Number(m[1]) : NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * What a tenant's user may not set (400 errors, body paths `ports.<i>.<field>`), judged on the port as it
 * would be: `current` (slot → port now), `folders` (host id → the machine's folder there; the first copy's counts).
 */
export function tenantSerialErrors(
  ports: PortPatch[], current: Map<number, SerialPortView>, folders: Map<string, string>, copies: MachineCopy[], views: Map<string, HostView>,
): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  ports.forEach((p, i) => {
    const now = current.get(p.slot);
    if (!now) return;
    const mode = p.hostMode ?? now.hostMode;
    const path = p.path ?? now.path;
    const server = p.server ?? now.server;
    const touched = p.hostMode !== undefined || p.path !== undefined || p.server !== undefined;
    if (!touched) return;
    const at = (f: string) => `ports.${i}.${f}`;
    if (mode === 'HostDevice') {
      errors.push(fieldError(at(p.hostMode !== undefined ? 'hostMode' : 'path'), "A host's serial devices are for admins"));
    } else if (mode === 'RawFile' || mode === 'HostPipe') {
      // Inside the folder of the machine's first copy; each twin gets the same file in its own folder (apply.ts).
      const folder = folders.get(copies[0].host.id) ?? '';
      const inside = folder ? withinRoot(folder, path) : undefined;
      if (!inside || inside === withinRoot(folder, folder)) {
        errors.push(fieldError(at('path'), `A file inside the machine's folder ${folder}, e.g. ${folder}/com${p.slot + 1}.${mode === 'RawFile' ? 'log' : 'pipe'}`));
      }
    } else if (mode === 'TCP') {
      const port = tcpPort(path, server);
      const problem = port === null
        ? (server ? 'The port to listen on, e.g. 50001' : 'The host and port to connect to, e.g. 10.0.0.5:50001')
        : reservedPortProblem(port, copies, views);
      if (problem) errors.push(fieldError(at('path'), problem));
    }
  });
  return errors;
}

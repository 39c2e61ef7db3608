import type { SimHost } from './host';
import { fail } from './model/base';
import type { Progress } from './model/progress';
import type { VM } from './model/vm';

// Placeholder until the teleport protocol lands: refuses cleanly.
export function teleport(_host: SimHost, _vm: VM, _hostname: string, _port: number, _password: string, _maxDowntime: number): Progress {
  return fail('VBOX_E_NOT_SUPPORTED', 'Teleporting is not implemented yet', 'IConsole', 'Console');
}

export async function listenTeleport(_host: SimHost, _vm: VM): Promise<void> {
  return fail('VBOX_E_NOT_SUPPORTED', 'Teleporting is not implemented yet', 'IConsole', 'Console');
}

/**
 * Autostart and autostop need the host's autostart database: VirtualBox (Machine::setAutostartEnabled /
 * setAutostopType → AutostartDb) refuses every change of either while ISystemProperties.autostartDatabasePath
 * is unset ("The path to the autostart database is not set", E_FAIL). A host's setup, not a machine's: so the
 * settings view says whether each copy's host has it, and a PATCH that needs it is a 409 before any task.
 */
import { ProblemError } from '@/lib/api/problem';
import { fieldError, type MachineCopy } from '@/lib/cluster/operations/common';

/** What the admin does on a host that lacks it (VBoxManage's name for the property). */
const ADMIN_STEP = 'an admin sets its autostart database folder (VBoxManage setproperty autostartdbpath <folder>)';

/** Per copy: whether its host has an autostart database (null: its host did not answer). */
export async function autostartHosts(copies: MachineCopy[]): Promise<{ copy: MachineCopy; available: boolean | null }[]> {
  return Promise.all(copies.map(async (copy) => ({
    copy,
    available: await copy.client.scope(async (vbox) => (await (await vbox.getSystemProperties()).getAutostartDatabasePath()) !== '')
      .catch(() => null),
  })));
}

/** The hosts (names) of the copies that lack it, or did not answer. */
export const lacking = (list: { copy: MachineCopy; available: boolean | null }[]) => list.filter((h) => h.available !== true).map((h) => h.copy.host.name);

/** Why autostart cannot be set on these hosts (the reason shown in the view and the 409). */
export const autostartReason = (hosts: string[]) =>
  `Autostart needs the autostart database on ${hosts.join(', ')}, which ${hosts.length > 1 ? 'have' : 'has'} none: ${ADMIN_STEP}.`;

/** 409 naming the fields (body paths) when a copy's host has no autostart database. */
export async function requireAutostartDb(copies: MachineCopy[], fields: string[]): Promise<void> {
  if (!fields.length) return;
  const missing = lacking(await autostartHosts(copies));
  if (!missing.length) return;
  throw new ProblemError({
    title: 'Autostart not set up', status: 409, detail: autostartReason(missing), fields,
    errors: fields.map((f) => fieldError(f, `Needs the autostart database on ${missing.join(', ')}`)),
  });
}

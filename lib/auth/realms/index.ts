import { localRealm } from './local';
import type { Realm } from './types';

export type { Realm } from './types';
export { LOCAL_REALM, localRealm } from './local';

/**
 * The realms users can sign in with, the default first. PAM and LDAP are added here
 * when they exist (each a module in this folder implementing Realm).
 */
export function realms(): Realm[] {
  return [localRealm()];
}

/** The realm of a name, or the default realm when none is given; undefined for an unknown name. */
export function findRealm(name: string | undefined, list: Realm[] = realms()): Realm | undefined {
  return name ? list.find((r) => r.name === name) : list[0];
}

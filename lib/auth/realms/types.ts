import type { User } from '../policy';

/**
 * A place users are authenticated against: the local user table now, PAM and LDAP
 * later. A realm answers the signed-in user, or null for any failure; it never says
 * why (unknown user and wrong password look the same to the caller).
 */
export interface Realm {
  /** The name stored in users.realm and shown on the sign-in form (local, pam, ldap). */
  readonly name: string;
  authenticate(username: string, password: string): Promise<User | null>;
}

import type { User } from '../policy';

/** What a realm may know of the sign-in besides the credentials. */
export interface SignInContext {
  /** The client's address (lib/auth/address), e.g. for PAM_RHOST. */
  address?: string;
}

/**
 * A place users are authenticated against: the local user table, PAM, an LDAP
 * directory. A realm answers the signed-in user, or null for wrong credentials; it
 * never says why (unknown user and wrong password look the same to the caller). It
 * throws RealmRefusal when the credentials were right but the user may not sign in
 * (no group maps to a role or tenant), and any other error when it could not decide
 * (directory unreachable): the user sees the same generic failure either way, the
 * audit log and the operator's log see the reason.
 */
export interface Realm {
  /** The name stored in users.realm and sent by the sign-in form: local, pam, ldap:<directory>. */
  readonly name: string;
  /** What the sign-in form shows for it. */
  readonly label: string;
  authenticate(username: string, password: string, context?: SignInContext): Promise<User | null>;
}

/** The credentials were right, yet the user may not sign in; `message` goes to the audit log only. */
export class RealmRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealmRefusal';
  }
}

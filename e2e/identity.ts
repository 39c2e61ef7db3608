// What e2e/server.ts set up for sign-in, for the specs (written to a file in the temp folder).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const E2E_IDENTITY_FILE = path.join(os.tmpdir(), 'nimbox-e2e-identity.json');

/** What e2e/server.ts wrote (read when a spec runs, after the stack is up). */
export const readIdentity = () => JSON.parse(fs.readFileSync(E2E_IDENTITY_FILE, 'utf8')) as E2EIdentity;

export interface E2EIdentity {
  /** The machines tagged nimbox/tenant=blue. */
  blueMachines: string[];
  /** An LDAP user in the group mapped to tenant blue; null when slapd is not installed. */
  ldap: { realmLabel: string; username: string; password: string } | null;
  ldapSkipped?: string;
  /** A system user in the group mapped to admin; null when not root. */
  pam: { username: string; password: string } | null;
  pamSkipped?: string;
}

import type { DefaultSession } from 'next-auth';
import type { Role } from './policy';

/** What Nimbox keeps about the signed-in user in next-auth's user, token and session. */
declare module 'next-auth' {
  interface User {
    username: string;
    realm: string;
    role: Role;
    tenant?: string | null;
  }
  interface Session {
    user: { id: string; username: string; realm: string; role: Role; tenant: string | null } & DefaultSession['user'];
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    id?: string;
    username?: string;
    realm?: string;
    role?: Role;
    tenant?: string | null;
    /** The server-side session (lib/auth/sessions): the cookie counts only while it is live. */
    sid?: string;
  }
}

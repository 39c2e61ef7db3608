import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { recordAudit } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { clientAddress } from './address';
import { isRole } from './policy';
import { signIn, TWO_FACTOR_REQUIRED } from './realms/signin';
import { authSecret } from './secret';
import { createSession, revokeSession } from './sessions';

/** How long a sign-in lasts: one working day, then the user signs in again (the session row's end, lib/auth/sessions). */
export const SESSION_MAX_AGE = 8 * 60 * 60;

export const SIGN_IN_PAGE = '/login';

// Nimbox is self-hosted and reached under whatever name its operator gives it.
// Without NEXTAUTH_URL, next-auth takes its origin (redirects, and whether cookies
// are Secure) from the request's Host / X-Forwarded-Host and X-Forwarded-Proto.
// Set NEXTAUTH_URL=https://nimbox.example.org to pin it instead.
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= 'true';

const credentialsSchema = z.object({
  username: z.string().trim().min(1).max(256),
  password: z.string().min(1).max(1024),
  /** The realm to authenticate against; the default (local) when absent. */
  realm: z.string().max(32).optional(),
  /** Sent by /t/<tenant>/login: only that tenant's realms and members. */
  tenant: z.string().max(63).optional(),
  /** The second factor, asked for after 'TwoFactorRequired': a TOTP code or a recovery code. */
  code: z.string().max(64).optional(),
});

/** next-auth's messages as one JSON line each, without stacks; a rejected session cookie is only a warning. */
const logger: NextAuthOptions['logger'] = {
  error(code, metadata) {
    const error = metadata instanceof Error ? metadata.message : (metadata as { message?: string } | undefined)?.message;
    const level = code === 'JWT_SESSION_ERROR' ? 'warn' : 'error';
    const msg = code === 'JWT_SESSION_ERROR' ? 'next-auth: session cookie rejected' : `next-auth: ${code}`;
    console[level](JSON.stringify({ level, msg, error }));
  },
  warn(code) {
    console.warn(JSON.stringify({ level: 'warn', msg: `next-auth: ${code}` }));
  },
  debug() {},
};

/**
 * next-auth's options: one Credentials provider that asks the realms (local, PAM,
 * LDAP), sessions as encrypted JWT cookies for SESSION_MAX_AGE, each naming a session
 * row (`sid`) that sign-out revokes and every check consults (lib/auth/sessions). Cookies are
 * next-auth's defaults: HttpOnly, SameSite=Lax, and Secure (with the __Secure- prefix)
 * when Nimbox is served over https (see cookies.ts).
 */
export const authOptions: NextAuthOptions = {
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Nimbox',
      credentials: {
        username: { label: 'Username', type: 'text' },
        password: { label: 'Password', type: 'password' },
        realm: { label: 'Realm', type: 'text' },
        tenant: { label: 'Tenant', type: 'text' },
        code: { label: 'Code', type: 'text' },
      },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials ?? {});
        if (!parsed.success) return null;
        const { username, password, realm, tenant, code } = parsed.data;
        // Throttled, audited, one generic failure for every reason (lib/auth/realms/signin.ts); a missing
        // second factor throws TwoFactorRequiredError, whose message next-auth hands to the form as `error`.
        let user;
        try {
          user = await signIn(
            { username, password, realm: realm || undefined, tenant: tenant || undefined, code: code || undefined },
            { address: clientAddress(req?.headers ?? {}) },
          );
        } catch (e) {
          if ((e as Error).message === TWO_FACTOR_REQUIRED) throw e;
          // Anything else (the database failing) must not reach the browser as next-auth's `error`: the generic failure.
          console.error(JSON.stringify({ level: 'error', msg: 'sign-in failed unexpectedly', error: (e as Error).message }));
          return null;
        }
        if (!user) return null;
        return { id: user.id, name: user.username, username: user.username, realm: user.realm, role: user.role, tenant: user.tenant ?? null };
      },
    }),
  ],
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE },
  jwt: { maxAge: SESSION_MAX_AGE },
  // Derived from the server secret on first use (not at import: `next build` must not need the data folder).
  get secret() {
    return authSecret();
  },
  pages: { signIn: SIGN_IN_PAGE, error: SIGN_IN_PAGE },
  logger,
  events: {
    // Sign-out ends the session on the server too: a copy of the cookie is worth nothing after it.
    async signOut({ token }) {
      const sid = (token as { sid?: unknown } | null)?.sid;
      if (typeof sid !== 'string') return;
      const db = await getDb();
      if (!(await revokeSession(db, sid))) return;
      await recordAudit({ userId: token.id ?? null, username: token.username ?? '', tenant: token.tenant ?? null, action: 'signout', target: token.realm ?? null, result: 'success' }, db);
    },
  },
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.sid = await createSession(await getDb(), user.id, SESSION_MAX_AGE);
        token.id = user.id;
        token.username = user.username;
        token.realm = user.realm;
        token.role = user.role;
        token.tenant = user.tenant ?? null;
      }
      return token;
    },
    session({ session, token }) {
      return {
        expires: session.expires,
        user: {
          id: token.id ?? '',
          username: token.username ?? '',
          realm: token.realm ?? '',
          role: isRole(token.role) ? token.role : 'viewer',
          tenant: token.tenant ?? null,
          name: token.username ?? null,
        },
      };
    },
  },
};

import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

// next-auth's own endpoints: csrf, providers, session, callback/credentials, signout.
const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };

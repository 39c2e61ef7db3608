import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';
import { secureCookies, sessionCookieName } from '@/lib/auth/cookies';
import { isApiPath, isEmbedLinkRequest, isPublicPath, PATH_HEADER } from '@/lib/auth/paths';
import { authSecret } from '@/lib/auth/secret';

/**
 * Sends visitors without a valid session to the sign-in page. Next 16 runs proxy in the
 * Node.js runtime, so the session key is derived from the server secret here exactly as
 * in the route handlers. API routes and /metrics are not redirected: route() answers them 401.
 * This is the first gate only, and a cheap one (the cookie's signature and expiry): pages
 * and routes check the user again (lib/auth/session), including whether the cookie's
 * server-side session was signed out or revoked, which sends the page to the sign-in page.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search, searchParams } = request.nextUrl;
  if (isPublicPath(pathname) || isApiPath(pathname) || isEmbedLinkRequest(pathname, searchParams)) return NextResponse.next();

  const secure = secureCookies(request.headers.get('x-forwarded-proto'));
  const token = await getToken({ req: request, secret: authSecret(), secureCookie: secure, cookieName: sessionCookieName(secure) });
  if (token) {
    // Pages learn their own path from this (lib/auth/session requirePageUser: the pending-step redirect); set here, never trusted from the client.
    const headers = new Headers(request.headers);
    headers.set(PATH_HEADER, pathname);
    return NextResponse.next({ request: { headers } });
  }

  const login = new URL('/login', request.url);
  if (pathname !== '/') login.searchParams.set('callbackUrl', `${pathname}${search}`);
  return NextResponse.redirect(login);
}

export const config = {
  // Everything but Next's static assets; the public paths are decided in lib/auth/paths. Nor upload
  // chunks (PUT /api/v1/media/uploads/:id): Next buffers the whole body of a request that proxy sees,
  // and cuts it at proxyClientMaxBodySize (10 MB); their route streams it to the file instead.
  matcher: ['/((?!_next/static|_next/image|favicon\\.ico|api/v1/media/uploads/).*)'],
};

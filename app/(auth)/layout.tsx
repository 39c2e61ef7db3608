import type { ReactNode } from 'react';

/** Pages before sign-in: one centred column, no console chrome. */
export default function AuthLayout({ children }: Readonly<{ children: ReactNode }>) {
  return <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">{children}</main>;
}

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native modules are loaded by Node at run time, never bundled. (The optional PAM
  // binding is required at run time past the bundler, so a build never needs it:
  // lib/auth/realms/pam.ts.)
  serverExternalPackages: ["better-sqlite3"],
  poweredByHeader: false,
};

export default nextConfig;

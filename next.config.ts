import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native modules are loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3", "authenticate-pam"],
  poweredByHeader: false,
};

export default nextConfig;

import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const nextConfig: NextConfig = {
  // Native modules are loaded by Node at run time, never bundled. (The optional PAM
  // binding is required at run time past the bundler, so a build never needs it:
  // lib/auth/realms/pam.ts.)
  serverExternalPackages: ["better-sqlite3"],
  poweredByHeader: false,
};

// next-intl without locale routing: the language comes from the user's choice or the browser (lib/i18n/request.ts).
export default createNextIntlPlugin("./lib/i18n/request.ts")(nextConfig);

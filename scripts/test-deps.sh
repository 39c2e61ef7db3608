#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed when missing (Debian, as root):
# Chromium for Playwright, PHP's SoapClient (a second client built from VirtualBox's
# official WSDL), OpenLDAP's slapd for the LDAP realm's tests, and PAM's headers for the
# optional PAM binding (built again here if `npm install` ran before the headers were there),
# OpenIPMI's BMC simulator ipmi_sim and ipmitool for the fencing tests (lib/ha), PostgreSQL's server
# (initdb, pg_ctl) for the suite's second run on PostgreSQL,
# and the libraries of the real vboxwebsrv in ../shared/vbox-7.1.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium)
php -m 2>/dev/null | grep -qx soap || need+=(php-cli php-soap)
[ -x /usr/sbin/slapd ] || need+=(slapd)
[ -f /usr/include/security/pam_appl.h ] || need+=(libpam0g-dev)
command -v ipmi_sim >/dev/null || need+=(openipmi)
command -v ipmitool >/dev/null || need+=(ipmitool)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)  # the suite's PostgreSQL run (lib/db/pg-testing.ts)
[ -x /usr/sbin/nginx ] || need+=(nginx)  # deploy/nginx.test.ts: the reverse proxy of docs/install.md
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: missing Debian packages (${need[*]}); install them as root: apt-get install ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
# VirtualBox 7.1.12's own server side (../shared/vbox-7.1), when it is there: the Debian libraries it loads.
vbox="${NIMBOX_VBOX_DIR:-../shared/vbox-7.1}"
if [ -f "$vbox/install-deps.sh" ] && [ "$(id -u)" -eq 0 ]; then sh "$vbox/install-deps.sh"; fi
# (No node_modules yet, as in CI before `npm ci`: the install to come builds it.)
if [ -d node_modules ] && ! node -e "require('authenticate-pam')" 2>/dev/null; then
  version=$(node -p "require('./package.json').optionalDependencies['authenticate-pam']")
  npm install --no-save --no-audit --no-fund "authenticate-pam@${version}" >/dev/null
fi

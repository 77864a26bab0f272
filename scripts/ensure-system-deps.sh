#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing: PostgreSQL (storage suite on
# PostgreSQL), Chromium and Noto CJK fonts (browser e2e), Redis and nginx (cluster tests).
# Needs root and apt-get; prints what to run otherwise.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
{ [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; } || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${need[*]} — install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "== apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The nginx package starts a system nginx on port 80; the tests run their own, so stop it.
if [[ " ${need[*]} " == *" nginx "* ]]; then
  service nginx stop >/dev/null 2>&1 || true
  command -v systemctl >/dev/null 2>&1 && systemctl disable nginx >/dev/null 2>&1 || true
fi

#!/usr/bin/env bash
# Installs the system packages the test suite needs, only when missing:
# Debian's chromium (driven by Playwright), fonts-noto-cjk (Chinese glyphs in
# screenshots), the PostgreSQL server binaries (throwaway test clusters) and a
# Java runtime (local PySpark for the analytics engine suite).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages present: chromium, fonts-noto-cjk, postgresql, java"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig

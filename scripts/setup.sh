#!/usr/bin/env bash
# Sets up everything the project needs on this machine, idempotently and
# offline-friendly (only package registries are used):
#   - npm packages (npm ci when node_modules is missing or stale)
#   - the generated Prisma client
#   - the Temporal CLI (dev server), built with `go install` and cached
# With --test, also what the test suite needs:
#   - the Java time-skipping test server (Maven Central, cached)
#   - Debian's Chromium and a CJK font for the browser tests, and a JDK (javac)
#     for the rehearsal's test-server launcher (apt, when run as root)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

want_test=false
for arg in "$@"; do
  case "$arg" in
    --test) want_test=true ;;
    *) die "unknown option: $arg" ;;
  esac
done

command -v node >/dev/null 2>&1 || die "Node.js 20.19+ is required"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages..."
  # `npm ci` when the lock allows it; npm 11 sometimes leaves other platforms'
  # optional packages (@swc/core-darwin-*) out of the lock and then refuses
  # `npm ci`, while `npm install` installs the same locked versions.
  npm ci --no-audit --no-fund --loglevel=error >&2 2>/dev/null \
    || npm install --no-audit --no-fund --loglevel=error >&2
fi

if [ ! -f prisma/generated/client.ts ] || [ prisma/schema.prisma -nt prisma/generated/client.ts ]; then
  log "generating the Prisma client..."
  npx --no-install prisma generate >&2
fi

bash scripts/temporal-cli.sh >/dev/null

if $want_test; then
  need_apt=()
  [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
  command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
  if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing ${need_apt[*]} (apt)..."
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2 \
        || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2; }
    else
      die "the tests need: ${need_apt[*]} (Debian: sudo apt-get install ${need_apt[*]}; or CHROMIUM_PATH=/path/to/chromium)"
    fi
  fi
  bash scripts/temporal-test-server.sh >/dev/null
fi
log "ready"

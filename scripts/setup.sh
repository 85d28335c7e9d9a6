#!/usr/bin/env bash
# Sets up everything the project needs on this machine, idempotently and
# offline-friendly (only package registries are used):
#   - npm packages (`npm ci` from the committed lock when node_modules is missing or
#     stale; never `npm install`, which would rewrite package-lock.json)
#   - the generated Prisma client
#   - with --build: the compiled JavaScript in dist/ (`npm run build`) unless current
#   - the Temporal CLI (dev server), built with `go install` and cached
# With --test, also what the test suite needs:
#   - the Java time-skipping test server (Maven Central, cached)
#   - Debian's Chromium and a CJK font for the browser tests, and a JDK (javac)
#     for the rehearsal's test-server launcher (apt, when run as root)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

want_test=false
want_build=false
for arg in "$@"; do
  case "$arg" in
    --test) want_test=true ;;
    --build) want_build=true ;;
    *) die "unknown option: $arg" ;;
  esac
done

command -v node >/dev/null 2>&1 || die "Node.js 20.19+ is required"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)..."
  # Only `npm ci`: it installs exactly the committed lock and never rewrites it,
  # so a fresh clone's `git status` stays clean. A refused lock is a bug to fix
  # in the repository, not something to paper over with `npm install`.
  npm ci --no-audit --no-fund --loglevel=error >&2 \
    || die "npm ci refused package-lock.json (see npm's message above). The lock must match package.json: run 'npm install' once, commit package-lock.json, then run this again."
fi

if [ ! -f prisma/generated/client.ts ] || [ prisma/schema.prisma -nt prisma/generated/client.ts ]; then
  log "generating the Prisma client..."
  npx --no-install prisma generate >&2
fi

if $want_build; then
  if node --input-type=module -e "import { currentCompiledCli } from './bin/compiled.js'; process.exit(currentCompiledCli() ? 0 : 1)"; then
    log "dist/ is current"
  else
    log "compiling to dist/ (npm run build)..."
    node scripts/build.mjs >&2 || die "npm run build failed (see tsc's messages above)"
  fi
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

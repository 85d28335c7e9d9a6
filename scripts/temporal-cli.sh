#!/usr/bin/env bash
# Provides the Temporal CLI (whose `server start-dev` is the dev server) without
# internet access, and prints the path of the binary on its last line.
#
# Order of preference:
#   1. $TEMPORAL_CLI_PATH, an existing binary chosen by the operator;
#   2. a binary already built into the cache;
#   3. `go install` from the Go module proxy (v1.5.1 is the newest release whose
#      go.mod has no replace directive, so it installs directly). Go fetches a
#      newer toolchain by itself if the module asks for one (GOTOOLCHAIN=auto).
#   4. no Go: print "download" so the caller lets the Temporal SDK fetch the CLI
#      itself (works on a machine with internet access).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
  echo "$TEMPORAL_CLI_PATH"; exit 0
fi

bin_dir="$JIUZHU_CACHE_DIR/temporal-cli/$TEMPORAL_CLI_VERSION"
bin="$bin_dir/temporal"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"; exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed: the Temporal SDK will download the CLI itself (needs internet)."
  echo "download"; exit 0
fi

mkdir -p "$bin_dir"
log "building Temporal CLI $TEMPORAL_CLI_VERSION with go install (first time only; 5-10 min on 2 cores)..."
start=$(date +%s)
CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOBIN="$bin_dir" GOFLAGS="${GOFLAGS:-} -trimpath" \
  go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
log "Temporal CLI built in $(( $(date +%s) - start )) s: $bin"
"$bin" --version >&2
echo "$bin"

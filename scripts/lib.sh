# Shared settings for the install scripts. Sourced, not run.
# Everything heavy is cached outside the repository so a second run (and a
# second clone) reuses it: Go's module and build caches, Maven's ~/.m2, and
# the built binaries under $JIUZHU_CACHE_DIR.
JIUZHU_CACHE_DIR="${JIUZHU_CACHE_DIR:-$HOME/.cache/jiuzhu}"
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEMPORAL_TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.39.0}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$JIUZHU_CACHE_DIR"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

#!/usr/bin/env bash
# Installs the tools the Kubernetes manifest tests need into .cache/tools/bin, if missing:
# kustomize (built with Go from the Go module proxy, pinned below). The schema validator's npm
# packages come with `npm ci` (package-lock.json), like the other test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

KUSTOMIZE_VERSION=v5.7.1
TOOLS_BIN="$PWD/.cache/tools/bin"

# /usr/local/go is where this machine's CI keeps a recent Go; Debian's golang-go (1.19 in
# bookworm) is too old to build kustomize v5.7 (it needs go >= 1.22), so it is only a last resort.
export PATH="/usr/local/go/bin:$PATH"

if [ -x "$TOOLS_BIN/kustomize" ] && "$TOOLS_BIN/kustomize" version | grep -qx "$KUSTOMIZE_VERSION"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "k8s-tools: no Go toolchain; installing Debian's golang-go (may be too old for kustomize)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go
fi
mkdir -p "$TOOLS_BIN"
GOBIN="$TOOLS_BIN" go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
"$TOOLS_BIN/kustomize" version

#!/usr/bin/env bash
# CI step: the load test with faults on a cluster of its own (own folder, own ports), always taken
# down afterwards, whatever happened. Bounded: each stage has its own timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CLUSTER_DIR="${CLUSTER_DIR:-$(mktemp -d /tmp/crm-cluster-ci.XXXXXX)}"
chmod 755 "$CLUSTER_DIR"   # mariadbd runs as mysql and must reach its data folder
export CLUSTER_PORT_BASE="${CLUSTER_PORT_BASE:-24300}"
export CLUSTER_REPLICAS="${CLUSTER_REPLICAS:-2}"
export CLUSTER_REDIS_URL="${CLUSTER_REDIS_URL-redis://127.0.0.1:6379}"
export RETRY_AFTER_SECONDS=1 LOG_LEVEL=warn CLUSTER_SKIP_BUILD=1
# One key drives all 16 clients here: give it the whole service (the default per-key share, half of
# MAX_BATCHES_IN_FLIGHT, would answer 429 by design, and this test is about faults, not fair shares).
export KEY_SHARE_PERCENT=100 MAX_BATCHES_IN_FLIGHT=32

cleanup() {
  local status=$?
  if [ $status -ne 0 ] && [ -d "$CLUSTER_DIR" ]; then
    echo "== cluster load test failed: the last lines of each log"
    for f in "$CLUSTER_DIR"/replica*.log "$CLUSTER_DIR"/node*/error.log; do
      [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }
    done
  fi
  timeout 120 bash scripts/cluster/cluster.sh down || true
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

npm run build --silent
timeout 720 bash scripts/cluster/cluster.sh up
timeout 900 node dist/scripts/cluster/load-test.js "$@"

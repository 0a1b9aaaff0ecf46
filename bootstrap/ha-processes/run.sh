#!/usr/bin/env bash
# The multi-process HA demo: four daemons on loopback, their nodes in PostgreSQL, and a console
# that connects to them.
#
#   process 1  sequencer1 + mediator1       synchronizer.conf   public API 5801, admin 5802/5803
#   process 2  participant1 (replica a)     participant1.conf   admin 5812, health 5814
#   process 3  participant1 (replica b)     participant1.conf   admin 5822, health 5824 (-C ports)
#   process 4  participant2                 participant2.conf   admin 5832
#
# The replicas share the database ha_demo_participant1; the PostgreSQL advisory lock decides
# which one is active. The script pings through replica a, kills its process with SIGKILL, shows
# replica b taking over (its /health turns 200) and pings through it, then starts replica a again,
# which comes back passive.
#
#   bootstrap/ha-processes/run.sh            # from any directory; its files go to ./ha-processes-run
#
# Needs PostgreSQL (POSTGRES_HOST/PORT/USER/PASSWORD, default 127.0.0.1:5432 user postgres); the
# demo drops and creates the databases ha_demo_*. CANTON_CONSOLE overrides the command
# (default: canton-console), PYTHON the interpreter that creates the databases (default: python3).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
read -r -a CC <<< "${CANTON_CONSOLE:-canton-console}"
PY=${PYTHON:-python3}
WORK=${WORK:-$PWD/ha-processes-run}
mkdir -p "$WORK"
cd "$WORK"
PIDS=()

cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[i]}" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "== databases"
"$PY" - <<'PY'
import os
import psycopg

admin = psycopg.connect(
    host=os.environ.get("POSTGRES_HOST", "127.0.0.1"), port=int(os.environ.get("POSTGRES_PORT", "5432")),
    user=os.environ.get("POSTGRES_USER", "postgres"), password=os.environ.get("POSTGRES_PASSWORD", ""),
    dbname="postgres", autocommit=True, connect_timeout=5,
)
for name in ("sequencer1", "mediator1", "participant1", "participant2"):
    admin.execute(f'DROP DATABASE IF EXISTS "ha_demo_{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "ha_demo_{name}"')
    print(f"  ha_demo_{name}")
PY

# start_daemon NAME ARGS...: runs `canton-console daemon ARGS` in the background and waits until it runs
start_daemon() {
  local name=$1
  shift
  : > "$name.out"
  CANTON_CONSOLE_DATA="$WORK/$name-data" "${CC[@]}" --log-file-name "$WORK/$name.log" daemon "$@" > "$name.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  eval "PID_${name//-/_}=$pid"
  for _ in $(seq 1 600); do
    if grep -q "^canton-console daemon running" "$name.out"; then
      echo "  $name (pid $pid) running"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "  $name exited:"; cat "$name.out"; exit 1
    fi
    sleep 0.1
  done
  echo "  $name did not start in time; see $WORK/$name.log"; exit 1
}

health() { curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$1/health" || true; }

echo "== daemons"
start_daemon synchronizer -c "$HERE/synchronizer.conf" --bootstrap "$HERE/synchronizer.canton"
start_daemon participant2 -c "$HERE/participant2.conf" --bootstrap "$HERE/participant2.canton"
start_daemon replica-a -c "$HERE/participant1.conf" --bootstrap "$HERE/participant1.canton"
REPLICA_B=(-c "$HERE/participant1.conf"
  -C canton.participants.participant1.ledger-api.port=5821
  -C canton.participants.participant1.admin-api.port=5822
  -C canton.participants.participant1.monitoring.http-health-server.port=5824)
start_daemon replica-b "${REPLICA_B[@]}"
echo "  /health of replica a: $(health 5814), of replica b: $(health 5824)   (200: active, 503: passive)"

echo "== console (remote participants participant1a, participant1b, participant2)"
"${CC[@]}" run "$HERE/before-failover.canton" -c "$HERE/console.conf"

echo "== kill -9 replica a (pid $PID_replica_a)"
start=$(date +%s.%N)
kill -KILL "$PID_replica_a"
wait "$PID_replica_a" 2>/dev/null || true
until [ "$(health 5824)" = 200 ]; do sleep 0.05; done
echo "  replica b ready after $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }") s"
"${CC[@]}" run "$HERE/after-failover.canton" -c "$HERE/console.conf"

echo "== replica a again (no bootstrap: the connection is in the shared store)"
start_daemon replica-a2 -c "$HERE/participant1.conf"
echo "  /health of replica a: $(health 5814), of replica b: $(health 5824)"
echo "== done; logs in $WORK"

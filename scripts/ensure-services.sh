#!/usr/bin/env bash
# Start PostgreSQL and Mosquitto when they are installed locally but not listening.
# Tests that need them skip with a clear reason when they are absent, so this never fails.
set -u
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! listening 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  ver=$(ls /etc/postgresql 2>/dev/null | head -1)
  [ -n "$ver" ] && pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null && echo "started PostgreSQL $ver"
fi
if ! listening 1883 && command -v mosquitto >/dev/null 2>&1; then
  mosquitto -d -c /etc/mosquitto/mosquitto.conf 2>/dev/null && echo "started Mosquitto"
fi
exit 0

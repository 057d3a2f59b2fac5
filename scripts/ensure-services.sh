#!/usr/bin/env bash
# Makes this Debian machine ready to run the daemon, its tests and the demo (no Docker):
#   dovecot   installed (dovecot-imapd) when missing; tests and the demo start throwaway instances of it
#   postgres  the local cluster started when nothing answers on 127.0.0.1:5432
#   redis     a redis-server started when nothing answers on 127.0.0.1:6379
#   chromium  only with --chromium: installed when /usr/bin/chromium is missing (the browser test)
# --quiet says only what it does (installs, starts) and what fails, not what it found in place.
# Needs root or passwordless sudo for what it installs or starts as root; no network beyond apt.
# Used by .ci/run and `npm run demo`. Safe to run again: what is there already is left alone.
set -euo pipefail

with_chromium=false
quiet=false
for arg in "$@"; do
  case "$arg" in
    --chromium) with_chromium=true ;;
    --quiet) quiet=true ;;
    *) echo "usage: $0 [--chromium] [--quiet]" >&2; exit 2 ;;
  esac
done

found() { $quiet || echo "$*"; }
fail() { echo "ensure-services: $*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif sudo -n true 2>/dev/null; then sudo -n "$@"
  else fail "'$*' needs root (run this script as root, or allow passwordless sudo)"
  fi
}

# One apt-get update for everything missing.
missing=()
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
if $with_chromium && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt-get)…"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
fi
found "dovecot   $(dovecot --version | cut -d' ' -f1)"
if $with_chromium; then found "chromium  $(/usr/bin/chromium --version 2>/dev/null | tr -s ' ' | cut -d' ' -f2 || echo installed)"; fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
    || fail "nothing answers on 127.0.0.1:5432 and no local Postgres cluster is installed (apt-get install postgresql)"
  echo "starting postgres…"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || fail "postgres did not answer on 127.0.0.1:5432 within 30 s"
fi
found "postgres  answering on 127.0.0.1:5432"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null 2>&1 || fail "nothing answers on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)"
  echo "starting redis…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || fail "redis did not answer on 127.0.0.1:6379 within 30 s"
fi
found "redis     answering on 127.0.0.1:6379"

# Dovecot's IDLE takes one inotify instance per session, and every test instance runs as the same
# user: the kernel's default of 128 per user makes sessions past it notice new mail only every 30 s.
inotify_limit=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)
if [ "$inotify_limit" -lt 1024 ]; then
  raise() { if [ "$(id -u)" = 0 ]; then sysctl -q -w "$1"; else sudo -n sysctl -q -w "$1"; fi; }
  if raise fs.inotify.max_user_instances=1024 >/dev/null 2>&1; then
    echo "raised fs.inotify.max_user_instances from $inotify_limit to 1024 (Dovecot IDLE sessions)"
  else
    echo "note: fs.inotify.max_user_instances is $inotify_limit and could not be raised: past that many IDLE sessions Dovecot notices new mail only every 30 s" >&2
  fi
fi

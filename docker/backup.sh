#!/bin/sh
# Nightly PostgreSQL backups for docker-compose.yml's `backup` service (postgres:17-alpine: its
# pg_dump is the server's major version). The same files as `npm run backup`: custom-format dumps
# (compressed, one consistent snapshot) named nucleusid-YYYYMMDDTHHMMSSZ.dump, mode 0600, written
# under a dot name and renamed when complete, the newest BACKUP_KEEP kept.
#   backup.sh        loop: back up at BACKUP_AT (HH:MM UTC, default 02:00) and every BACKUP_INTERVAL
#                    seconds from it (default 86400: once a day)
#   backup.sh once   one backup now, then exit (`docker compose run --rm backup once`)
# Connection from libpq's environment: PGHOST, PGUSER, PGPASSWORD, PGDATABASE.
set -u

dir="${BACKUP_DIR:-/backups}"
keep="${BACKUP_KEEP:-14}"
at="${BACKUP_AT:-02:00}"
interval="${BACKUP_INTERVAL:-86400}"

case "$keep" in '' | *[!0-9]* | 0) echo "BACKUP_KEEP must be a whole number of at least 1, not '$keep'" >&2; exit 2 ;; esac
case "$interval" in '' | *[!0-9]* | 0) echo "BACKUP_INTERVAL must be a whole number of seconds, not '$interval'" >&2; exit 2 ;; esac
case "$at" in [0-2][0-9]:[0-5][0-9]) ;; *) echo "BACKUP_AT must be HH:MM (UTC), not '$at'" >&2; exit 2 ;; esac

# Dumps hold every account's encrypted vault: readable by this user only.
umask 077
mkdir -p "$dir"

backup_once() {
  name="nucleusid-$(date -u +%Y%m%dT%H%M%SZ).dump"
  partial="$dir/.$name.partial"
  if ! pg_dump --format=custom --no-password >"$partial"; then
    rm -f "$partial"
    echo "$(date -u +%FT%TZ) backup failed (pg_dump's message above)" >&2
    return 1
  fi
  mv "$partial" "$dir/$name"
  echo "$(date -u +%FT%TZ) backup written: $dir/$name ($(wc -c <"$dir/$name") bytes)"
  # Our names only, newest first (they sort by time); everything past the first $keep goes.
  ls -1 "$dir" | grep -E '^nucleusid-[0-9]{8}T[0-9]{6}Z\.dump$' | sort -r | tail -n "+$((keep + 1))" |
    while read -r old; do
      rm -f "$dir/$old" && echo "$(date -u +%FT%TZ) deleted $old (BACKUP_KEEP=$keep)"
    done
}

if [ "${1:-}" = once ]; then
  backup_once
  exit
fi

# A stop (SIGTERM) while a dump runs must not leave its partial file behind. `sleep & wait` so the
# trap runs at once instead of after the sleep.
sleeper=
trap 'kill $sleeper 2>/dev/null; rm -f "$dir"/.nucleusid-*.partial; exit 0' TERM INT

hours=${at%:*}
minutes=${at#*:}
echo "backups to $dir at $at UTC, then every $interval s; keeping $keep"
while :; do
  now=$(date -u +%s)
  # Today's BACKUP_AT, and the first of BACKUP_AT + k * BACKUP_INTERVAL after now.
  anchor=$((now - now % 86400 + ${hours#0} * 3600 + ${minutes#0} * 60))
  wait_s=$((((anchor - now) % interval + interval) % interval))
  [ "$wait_s" -eq 0 ] && wait_s=$interval
  sleep "$wait_s" &
  sleeper=$!
  wait $sleeper
  backup_once
done

#!/usr/bin/env bash
# Make sure the real services the tests use are installed and running:
# MariaDB (the LMS database), Redis (the event bus) and Chromium (dashboard tests).
# Installs missing Debian packages when running as root; starts stopped servers.
set -euo pipefail

log() { echo "services: $*"; }

missing=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${LEARNLAKE_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
    exit 1
  fi
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

if ! port_open 3306; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ] && command -v mariadb-install-db >/dev/null 2>&1; then
    mariadb-install-db --user=mysql >/dev/null
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  wait_port 3306 || { log "MariaDB did not start"; exit 1; }
fi
# root with an empty password over TCP (the Debian default is unix_socket auth only)
if ! mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" \
      || true
  fi
  mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1 || { log "cannot log in to MariaDB as root over TCP"; exit 1; }
fi

if ! port_open 6379; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/learnlake.log
  wait_port 6379 || { log "Redis did not start"; exit 1; }
fi

log "MariaDB, Redis and Chromium are ready"

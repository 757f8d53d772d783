#!/bin/sh
# Makes sure the programs the test suite needs are installed, installing missing ones with apt-get
# when run as root on Debian/Ubuntu (CI on a fresh machine). Otherwise it names exactly what is
# missing and fails, so the integration tests never skip silently.
#   java 17+        Kafka broker and Kafka Connect          (openjdk-17-jre-headless)
#   javac           compiles the stack's mongo launcher once (openjdk-17-jdk-headless)
#   mvn             downloads the stack jars once            (maven)
#   initdb, pg_ctl  the throwaway PostgreSQL cluster         (postgresql)
#   docker-compose  validates docker-compose.yml, no engine  (docker-compose)
#   openssl         certificates for the watch TLS test      (openssl)
#   script          a pseudo-terminal for the watch TTY test (bsdutils)
#   chromium        headless browser check of cdc serve's /docs page (chromium)
set -eu

pg_bin_found() {
  if [ -n "${CDC_STACK_PG_BIN:-}" ] && [ -x "$CDC_STACK_PG_BIN/initdb" ] && [ -x "$CDC_STACK_PG_BIN/pg_ctl" ]; then return 0; fi
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then return 0; fi
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

missing_packages() {
  packages=""
  java_ok || packages="$packages openjdk-17-jre-headless"
  command -v javac >/dev/null 2>&1 || packages="$packages openjdk-17-jdk-headless"
  command -v mvn >/dev/null 2>&1 || packages="$packages maven"
  pg_bin_found || packages="$packages postgresql"
  command -v docker-compose >/dev/null 2>&1 || packages="$packages docker-compose"
  command -v openssl >/dev/null 2>&1 || packages="$packages openssl"
  command -v script >/dev/null 2>&1 || packages="$packages bsdutils"
  command -v chromium >/dev/null 2>&1 || packages="$packages chromium"
  echo "$packages"
}

describe() {
  case "$1" in
    openjdk-17-jre-headless) echo "java 17 or newer (runs Kafka and Kafka Connect)" ;;
    openjdk-17-jdk-headless) echo "javac (compiles the launcher of the stack's MongoDB test server once)" ;;
    maven) echo "mvn (downloads the Kafka, Connect and Debezium jars once)" ;;
    postgresql) echo "PostgreSQL server binaries initdb/pg_ctl (the test cluster; or set CDC_STACK_PG_BIN)" ;;
    docker-compose) echo "docker-compose (validates docker-compose.yml; no Docker engine needed)" ;;
    openssl) echo "openssl (makes the certificates of the cdc watch TLS test)" ;;
    bsdutils) echo "script (runs cdc watch on a pseudo-terminal in its TTY test)" ;;
    chromium) echo "chromium (opens cdc serve's /docs page in a real headless browser)" ;;
  esac
}

packages=$(missing_packages)
[ -z "$packages" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: installing$packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages >&2
  packages=$(missing_packages)
  [ -z "$packages" ] && exit 0
fi

echo "ensure-tools: the test suite needs programs that are not installed:" >&2
for package in $packages; do
  echo "  - $(describe "$package") — Debian/Ubuntu package: $package" >&2
done
echo "Install them (e.g. sudo apt-get install$packages), or run this script as root to install them." >&2
exit 1

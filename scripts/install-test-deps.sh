#!/usr/bin/env bash
# System packages the reliability tests (tests/faults) need: PgBouncer, and PostgreSQL's server
# binaries (initdb/pg_ctl) for the database those tests stop and start. Idempotent: installs only
# what is missing. Needs root (or sudo) and apt; elsewhere it prints what to install and exits 0,
# and the tests that need a missing program skip with a reason.
set -euo pipefail

missing=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-test-deps: pgbouncer and PostgreSQL server binaries already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: no apt-get; install ${missing[*]} yourself" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-test-deps: not root and no sudo; install ${missing[*]} yourself" >&2
        exit 0
    fi
fi
echo "install-test-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
# Installing the packages must not start their services: the tests run their own instances.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts pgbouncer on 127.0.0.1:6432 after install; the tests do not use that instance.

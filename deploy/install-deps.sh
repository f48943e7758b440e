#!/bin/sh
# Install the Debian packages allybrief builds and tests with, if missing.
# Runs apt-get as root, through sudo otherwise; says what is missing when
# it can do neither.  Each package is listed with what it is for in README.md.
set -eu
PACKAGES="build-essential pkg-config clang
 libczmq-dev libzmq3-dev libsodium-dev libmsgpack-dev libjansson-dev
 libutf8proc-dev libpcre2-dev libsqlite3-dev libcurl4-openssl-dev libxml2-dev
 libmicrohttpd-dev
 libcmocka-dev valgrind python3
 icu-devtools python3-yaml iproute2"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages:$missing; run as root or install them" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

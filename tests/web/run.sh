#!/bin/sh
# The browser test of allybrief-web (tests/web/test_browser.py): installs
# what it needs (headless Chromium, its WebDriver, Selenium for Python from
# Debian), builds, starts sink and worker on ipc://, feeds samples/, then
# runs the browser test, which starts allybrief-web on a free loopback port
# (and restarts it), and adds articles mid-run.  Screenshots go to
# build/test-artifacts/.
#
#   sh tests/web/run.sh            (MODE=asan sh tests/web/run.sh for the ASan build)
set -eu
cd "$(dirname "$0")/../.."
MODE=${MODE:-debug}
BIN=build/$MODE/bin
ARTIFACTS=build/test-artifacts
PACKAGES="chromium chromium-driver python3-selenium"

sh deploy/install-deps.sh
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "web test: installing:$missing" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
make -s -j"${JOBS:-1}" MODE="$MODE" programs

WORK=$(mktemp -d)
PIDS=""
cleanup () {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; kill -CONT "$pid" 2>/dev/null || true; done
    for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
E="ipc://$WORK"
LOG=$WORK/pipeline.log
mkdir -p "$ARTIFACTS" "$WORK/out"

"$BIN/allybrief-sink" --results "$E/results" --pub "$E/pub" --snapshot "$E/snapshot" --ack "$E/ack" \
    --out "$WORK/out" --state "$WORK/sink.db" -q >>"$LOG" 2>&1 &
SINK=$!
PIDS="$PIDS $SINK"
"$BIN/allybrief-worker" --work "$E/work" --results "$E/results" -q >>"$LOG" 2>&1 &
PIDS="$PIDS $!"

"$BIN/allybrief-producer" --work "$E/work" --ack "$E/ack" --journal "$WORK/samples.journal" \
    --dead-letter "$WORK/dead.jsonl" --exit-when-done -q samples >>"$LOG" 2>&1

rc=0
/usr/bin/python3 tests/web/test_browser.py --bin "$BIN" --pub "$E/pub" --snapshot "$E/snapshot" \
    --sink-pid "$SINK" --log "$LOG" --work "$E/work" --ack "$E/ack" --dir "$WORK" \
    --artifacts "$ARTIFACTS" || rc=$?
if [ $rc -ne 0 ]; then
    echo "web test: FAILED; pipeline log:" >&2
    tail -n 40 "$LOG" >&2
fi
cp "$LOG" "$ARTIFACTS/web-pipeline.log"
exit $rc

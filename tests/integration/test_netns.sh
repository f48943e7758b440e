#!/bin/sh
# test_netns - allybrief across "machines": network namespaces on a bridge
#
#   hub      producer + sink      10.77.0.1
#   w1       worker               10.77.0.2
#   w2       worker + a worker with an unknown key      10.77.0.3
#   sub      subscriber + a subscriber with an unknown key  10.77.0.4
#   w3       a worker added mid-stream                  10.77.0.5
#
# Every node has a veth into a bridge that lives in its own namespace, so
# the host's network is never touched.  All traffic is tcp:// between the
# namespace addresses with CURVE on, keys made by `allybrief keygen`, one
# config file (checked by `allybrief config check`) for every program.
#
# Asserts: every article reaches the briefing and the allowed subscriber;
# the unknown-key worker processes nothing and the unknown-key subscriber
# gets no snapshot, both refused with their address in the logs; the
# worker added mid-stream takes work; and a sink started without keys on
# the namespace address warns that it is open.
#
# Needs root and `ip netns`; skips (exit 0, with a message) where
# namespaces cannot be made.  Every wait is bounded; a trap removes the
# namespaces and stops the processes even when an assertion fails.
#
#   AB_BIN=build/asan/bin sh tests/integration/test_netns.sh
set -u
cd "$(dirname "$0")/../.."
BIN=${AB_BIN:-build/debug/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
TAG="ab$$"                    # namespace and interface prefix, unique per run
NODES="hub w1 w2 sub w3"
SWITCH="${TAG}sw"
DIR=$(mktemp -d /tmp/ab-netns-XXXXXX)
PIDS=""
STATUS=1

say () { echo "test_netns: $*" >&2; }

cleanup () {
    for pid in $PIDS; do
        kill "$pid" 2>/dev/null
    done
    sleep 0.5
    for pid in $PIDS; do
        kill -9 "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    for node in $NODES; do
        ip netns del "$TAG$node" 2>/dev/null
    done
    ip netns del "$SWITCH" 2>/dev/null
    if [ "$STATUS" -ne 0 ] && [ -d "$DIR" ]; then
        for log in "$DIR"/*.log; do
            [ -f "$log" ] && { echo "---- $log" >&2; tail -n 15 "$log" >&2; }
        done
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail () {
    say "FAIL: $*"
    exit 1
}

skip () {
    say "SKIPPED: $*"
    STATUS=0
    exit 0
}

# ---- can we make namespaces here?
[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null 2>&1 || skip "the ip command (iproute2) is not installed"
ip netns add "$SWITCH" 2>/dev/null || skip "cannot create network namespaces here (ip netns add failed)"
for program in allybrief allybrief-producer allybrief-sink allybrief-worker allybrief-sub; do
    [ -x "$BIN/$program" ] || fail "$BIN/$program is missing: build first"
done

# ---- the network: a bridge in $SWITCH, one veth per node
ip -n "$SWITCH" link add br0 type bridge || fail "cannot create the bridge"
ip -n "$SWITCH" link set br0 up
address=1
for node in $NODES; do
    ns="$TAG$node"
    ip netns add "$ns" || fail "cannot create namespace $ns"
    ip link add "${TAG}${node}a" netns "$ns" type veth peer name "${TAG}${node}b" netns "$SWITCH" \
        || fail "cannot create the veth pair for $node"
    ip -n "$SWITCH" link set "${TAG}${node}b" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.77.0.$address/24" dev "${TAG}${node}a"
    ip -n "$ns" link set "${TAG}${node}a" up
    address=$((address + 1))
done
# (No STP on the bridge, so ports forward at once; the workers joining
# the producer below is the reachability check.)

# ---- keys and the one config file
KEYS=$DIR/keys
for name in producer sink worker subscriber stranger; do
    "$BIN/allybrief" keygen "$name" "$KEYS" >/dev/null || fail "keygen $name"
done
mkdir -p "$KEYS/allow"
for name in producer sink worker subscriber; do
    cp "$KEYS/$name.cert" "$KEYS/allow/"
done
write_config () {   # file, worker key name, subscriber key name
    cat > "$1" <<EOF
#   allybrief across namespaces; every program reads its own section
curve
    allow = $KEYS/allow
    producer_key = $KEYS/producer.cert
    sink_key = $KEYS/sink.cert
producer
    work = tcp://10.77.0.1:5701
    ack = tcp://10.77.0.1:5702
    cert = $KEYS/producer.cert_secret
    journal = $DIR/producer.journal
    dead_letter = $DIR/dead-letter.jsonl
    worker_timeout = 3000
sink
    results = tcp://10.77.0.1:5703
    pub = tcp://10.77.0.1:5704
    snapshot = tcp://10.77.0.1:5705
    ack = tcp://10.77.0.1:5702
    cert = $KEYS/sink.cert_secret
    out = $DIR/out
    write_interval = 100
worker
    work = tcp://10.77.0.1:5701
    results = tcp://10.77.0.1:5703
    cert = $KEYS/$2.cert_secret
    credit = 4
    producer_timeout = 3000
subscriber
    pub = tcp://10.77.0.1:5704
    snapshot = tcp://10.77.0.1:5705
    cert = $KEYS/$3.cert_secret
EOF
}
CONFIG=$DIR/allybrief.cfg
STRANGER=$DIR/stranger.cfg
write_config "$CONFIG" worker subscriber
write_config "$STRANGER" stranger stranger
"$BIN/allybrief" config check "$CONFIG" >/dev/null || fail "config check refused $CONFIG"

# ---- articles: written here, in our own words, one JSON line each
article () {    # number
    printf '{"id": "%016x", "source": "Netns Wire %d", "published": "2026-04-%02d", ' \
        $(($1 + 4096)) $(($1 % 7)) $(($1 % 28 + 1))
    printf '"title": "Coast guard drill %d", "body": "MANILA - Drill %d: Japan will raise its ' "$1" "$1"
    printf 'defense spending to %d.%d%% of GDP by %d, a ministry spokesman said on Monday, ' \
        $((1 + $1 % 2)) $(($1 % 10)) $((2026 + $1 % 3))
    printf 'after coast guard drill number %d off Luzon."}\n' "$1"
}
FIRST=20
SECOND=80
TOTAL=$((FIRST + SECOND))

start () {      # node, log, program, args...
    node=$1 log=$2 program=$3
    shift 3
    ip netns exec "$TAG$node" "$BIN/$program" "$@" >>"$DIR/$log.log" 2>&1 3>&- &
    PIDS="$PIDS $!"
    LAST=$!
}

# wait_for FILE TEXT SECONDS: bounded poll for a line in a log
wait_for () {
    tries=$(($3 * 5))
    while [ $tries -gt 0 ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}

# wait_pid PID SECONDS: exit status, or 124 on timeout
wait_pid () {
    tries=$(($2 * 5))
    while kill -0 "$1" 2>/dev/null && [ $tries -gt 0 ]; do
        sleep 0.2
        tries=$((tries - 1))
    done
    kill -0 "$1" 2>/dev/null && return 124
    wait "$1"
}

# ---- the run
start hub sink allybrief-sink --config "$CONFIG"
SINK=$LAST
# Articles reach the producer through a FIFO we hold open read-write, so
# no open() blocks; closing it is the producer's end of input (children
# must not inherit it, or the input would never end)
mkfifo "$DIR/articles"
exec 3<>"$DIR/articles"
ip netns exec "${TAG}hub" "$BIN/allybrief-producer" --config "$CONFIG" --stdin --exit-when-done \
    <"$DIR/articles" >>"$DIR/producer.log" 2>&1 3>&- &
PRODUCER=$!
PIDS="$PIDS $PRODUCER"
start w1 w1 allybrief-worker --config "$CONFIG" --name w1
W1=$LAST
start w2 w2 allybrief-worker --config "$CONFIG" --name w2
W2=$LAST
start w2 stranger-worker allybrief-worker --config "$STRANGER" --name stranger
STRANGER_WORKER=$LAST
start sub sub allybrief-sub --config "$CONFIG" -q --idle-exit 6 --dump "$DIR/sub.json"
SUB=$LAST
start sub stranger-sub allybrief-sub --config "$STRANGER" -q --once
STRANGER_SUB=$LAST

wait_for "$DIR/producer.log" "connected (2 now)" 30 || fail "the two allowed workers did not join"
i=1
while [ $i -le $FIRST ]; do article $i >&3; i=$((i + 1)); done
wait_for "$DIR/producer.log" "acked $FIRST," 60 || fail "the first $FIRST articles were not acked"

# A third machine joins mid-stream
start w3 w3 allybrief-worker --config "$CONFIG" --name w3
W3=$LAST
wait_for "$DIR/producer.log" "connected (3 now)" 30 || fail "the worker added mid-stream did not join"
while [ $i -le $TOTAL ]; do article $i >&3; i=$((i + 1)); done
exec 3>&-
wait_pid "$PRODUCER" 120
status=$?
[ $status -eq 0 ] || fail "producer exited with $status"
grep -q "acked $TOTAL," "$DIR/producer.log" || fail "producer did not ack all $TOTAL articles"

for worker in $W1 $W2 $W3 $STRANGER_WORKER; do
    kill "$worker"
    wait_pid "$worker" 20 || fail "a worker did not stop cleanly"
done
w3_articles=$(sed -n 's/.*w3: stopping after \([0-9]*\) articles.*/\1/p' "$DIR/w3.log")
[ -n "$w3_articles" ] && [ "$w3_articles" -gt 0 ] || fail "the worker added mid-stream took no work"
grep -q "stranger: stopping after 0 articles" "$DIR/stranger-worker.log" \
    || fail "the unknown-key worker processed articles"
grep -q "refused peer 10.77.0.3" "$DIR/producer.log" \
    || fail "the producer did not log refusing the unknown worker at 10.77.0.3"

# Subscribers: the unknown one gets no snapshot (--once exits 1)
wait_pid "$STRANGER_SUB" 30
[ $? -eq 1 ] || fail "the unknown-key subscriber did not fail to get a snapshot"
grep -q "refused peer 10.77.0.4" "$DIR/sink.log" \
    || fail "the sink did not log refusing the unknown subscriber at 10.77.0.4"
wait_pid "$SUB" 60 || fail "the allowed subscriber did not finish"
# A fresh snapshot from the sink is the truth the live subscriber must match
ip netns exec "${TAG}sub" "$BIN/allybrief-sub" --config "$CONFIG" -q --once --dump "$DIR/once.json" \
    >>"$DIR/once.log" 2>&1 3>&- &
ONCE=$!
PIDS="$PIDS $ONCE"
wait_pid "$ONCE" 30 || fail "a snapshot for an allowed subscriber failed"
kill "$SINK"
wait_pid "$SINK" 30 || fail "the sink did not stop cleanly"

summary () {    # json file, field -> summary.field
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"][sys.argv[2]])' "$1" "$2" \
        2>/dev/null
}
same_items () {     # two dumps hold the same items
    python3 -c 'import json,sys; a, b = (json.load(open(p))["items"] for p in sys.argv[1:]); sys.exit(a != b)' \
        "$1" "$2"
}
[ "$(summary "$DIR/out/briefing.json" articles)" = "$TOTAL" ] \
    || fail "briefing has $(summary "$DIR/out/briefing.json" articles) articles, expected $TOTAL"
[ "$(summary "$DIR/once.json" articles)" = "$TOTAL" ] \
    || fail "the snapshot has $(summary "$DIR/once.json" articles) articles, expected $TOTAL"
[ "$(summary "$DIR/once.json" items)" -gt 0 ] || fail "the briefing has no items"
same_items "$DIR/sub.json" "$DIR/once.json" || fail "the live subscriber's items differ from the sink's"
# Without keys, a program binding a non-loopback address says it is open
start hub plain-sink allybrief-sink --results tcp://10.77.0.1:5713 --pub tcp://10.77.0.1:5714 \
    --snapshot tcp://10.77.0.1:5715 --ack tcp://10.77.0.1:5712 --out "$DIR/plain"
PLAIN=$LAST
wait_for "$DIR/plain-sink.log" "tcp://10.77.0.1:5713 is reachable from other machines UNENCRYPTED" 20 \
    || fail "a sink binding 10.77.0.1 without keys did not warn"
kill "$PLAIN"
wait_pid "$PLAIN" 30 || fail "the plain sink did not stop cleanly"

say "ok: $TOTAL articles over CURVE across 5 namespaces; w1 $(sed -n 's/.*stopping after \([0-9]*\) articles.*/\1/p' "$DIR/w1.log"), w2 $(sed -n 's/.*w2: stopping after \([0-9]*\) articles.*/\1/p' "$DIR/w2.log"), w3 (joined mid-stream) $w3_articles articles; strangers refused"
STATUS=0

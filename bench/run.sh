#!/bin/sh
# `make bench`: build optimized programs and the bench drivers, run every
# figure once on this machine, print one table and write it, with the
# machine it ran on, to bench/RESULTS.md.
#
# Every step is bounded: each driver has its own timeout, and every process
# this script starts is stopped by its pid when a step ends or the script
# exits.  Figures are reported, never asserted.
#
# Environment (for quick trials; the committed table uses the defaults):
#   BENCH_MB        corpus size in MB            (default 52, at least 50)
#   BENCH_ARTICLES  articles per end-to-end run  (default 10000)
#   BENCH_RAW       messages for raw PUSH/PULL    (default 100000)
#   BENCH_RATE      offered rate for latency     (default 1000 articles/s)
#   BENCH_SECONDS   length of a latency run      (default 5)
#   BENCH_RESULTS   where the table goes         (default bench/RESULTS.md)
#   BENCH_SINK_ARGS extra allybrief-sink options, to compare settings
#                   (e.g. "--write-interval 600000")
set -eu
cd "$(dirname "$0")/.."

MB=${BENCH_MB:-52}
ARTICLES=${BENCH_ARTICLES:-10000}
RAW=${BENCH_RAW:-100000}
RATE=${BENCH_RATE:-1000}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
OUT=build/bench
BIN=build/release/bin
DRIVERS=build/release/bench
FIGURES=$OUT/figures.txt
LOG=$OUT/bench.log

say () { echo "bench: $*" >&2; }

# Processes started here, stopped by pid on any exit
STARTED=""
stop_started () {
    for pid in $STARTED; do kill "$pid" 2>/dev/null || true; done
    for pid in $STARTED; do wait "$pid" 2>/dev/null || true; done
    STARTED=""
}
SOCKDIR=""
# shellcheck disable=SC2317  # called from the trap
cleanup () {
    stop_started
    if [ -n "$SOCKDIR" ]; then rm -rf "$SOCKDIR"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$OUT"
say "building release programs and bench drivers"
make -j1 --no-print-directory MODE=release programs bench-programs >"$OUT.build.log" 2>&1 || {
    cat "$OUT.build.log" >&2; exit 1; }
: >"$FIGURES"
: >"$LOG"
# ipc:// paths are limited to ~100 bytes: keep the sockets in a short /tmp dir
SOCKDIR=$(mktemp -d /tmp/ab-bench.XXXXXX)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Run a driver: its output goes to the log, its FIGURE lines to the figures
run () {
    rc=0
    "$@" >"$LOG.part" 2>&1 || rc=1
    cat "$LOG.part" >>"$LOG"
    grep '^FIGURE ' "$LOG.part" | sed 's/^FIGURE //' >>"$FIGURES" || true
    rm -f "$LOG.part"
    [ "$rc" = 0 ] || say "FAILED: $* (see $LOG)"
    return "$rc"
}

# Five free loopback ports in a row for one tcp run
tcp_base () {
    for try in 1 2 3 4 5 6 7 8 9 10; do
        base=$(( 20000 + ($$ * 7 + try * 131) % 30000 ))
        busy=$(ss -Htln 2>/dev/null | awk -v b="$base" '{ n = split($4, a, ":"); p = a[n] + 0;
               if (p >= b && p < b + 5) print p }')
        [ -z "$busy" ] && { echo "$base"; return 0; }
    done
    echo "$base"
}

# cpu_seconds PID...: user + system CPU seconds of live processes, summed
cpu_seconds () {
    ticks=$(getconf CLK_TCK)
    for pid in "$@"; do cat "/proc/$pid/stat" 2>/dev/null || true; done |
        awk -v t="$ticks" '{ sub(/^.*\) /, ""); s += $12 + $13 } END { printf "%.3f", s / t }'
}

# endpoints TRANSPORT NAME: sets WORK ACK RESULTS_EP PUB SNAP for one run
endpoints () {
    if [ "$1" = ipc ]; then
        dir=$SOCKDIR/$2
        mkdir -p "$dir"
        WORK=ipc://$dir/work ACK=ipc://$dir/ack RESULTS_EP=ipc://$dir/results
        PUB=ipc://$dir/pub SNAP=ipc://$dir/snap
    else
        base=$(tcp_base)
        WORK=tcp://127.0.0.1:$base ACK=tcp://127.0.0.1:$((base + 1))
        RESULTS_EP=tcp://127.0.0.1:$((base + 2)) PUB=tcp://127.0.0.1:$((base + 3))
        SNAP=tcp://127.0.0.1:$((base + 4))
    fi
}

# pipeline TRANSPORT WORKERS LABEL DRIVER-OPTIONS...: fresh sink and
# workers, then bench_pipeline drives the producer
pipeline () {
    transport=$1 workers=$2 label=$3
    shift 3
    state=$OUT/$label
    rm -rf "$state"
    mkdir -p "$state"
    endpoints "$transport" "$label"
    "$BIN/allybrief-sink" -q --results "$RESULTS_EP" --pub "$PUB" --snapshot "$SNAP" --ack "$ACK" \
        --out "$state" --state "$state/sink.db" ${BENCH_SINK_ARGS:-} 2>>"$state/sink.log" &
    sink_pid=$!
    STARTED="$STARTED $sink_pid"
    worker_pids=""
    n=1
    while [ "$n" -le "$workers" ]; do
        "$BIN/allybrief-worker" -q --work "$WORK" --results "$RESULTS_EP" --rules workers/rules \
            --name "bench-$n" 2>>"$state/worker-$n.log" &
        STARTED="$STARTED $!"
        worker_pids="$worker_pids $!"
        n=$((n + 1))
    done
    status=0
    run "$DRIVERS/bench_pipeline" -l "$label" -p "$PUB" -t 120 "$@" -- \
        "$BIN/allybrief-producer" --stdin --exit-when-done -q --work "$WORK" --ack "$ACK" \
        --journal "$state/producer.journal" --dead-letter "$state/dead-letter.jsonl" || status=1
    # Where the CPU went: sink and workers from /proc before they stop
    # (the producer's comes from bench_pipeline)
    echo "${label}_sink_cpu_s $(cpu_seconds "$sink_pid")" >>"$FIGURES"
    # shellcheck disable=SC2086  # one argument per pid
    echo "${label}_workers_cpu_s $(cpu_seconds $worker_pids)" >>"$FIGURES"
    stop_started
    return $status
}

FAILED=0
say "normalization, memcpy and uconv on a ${MB} MB corpus (build/bench/corpus.txt)"
run "$DRIVERS/bench_normalize" -m "$MB" "$OUT/corpus.txt" || FAILED=1
say "extraction and the whole worker on the same corpus"
run "$DRIVERS/bench_extract" -m "$MB" || FAILED=1
for transport in ipc tcp; do
    say "raw ZeroMQ PUSH/PULL over $transport ($RAW ARTICLE messages)"
    endpoints "$transport" raw
    run "$DRIVERS/bench_zmq_raw" -n "$RAW" -l "$transport" "$WORK" || FAILED=1
    for workers in 1 2; do
        say "end to end over $transport, $workers worker(s), $ARTICLES articles"
        pipeline "$transport" "$workers" "e2e_${transport}_${workers}w" -n "$ARTICLES" || FAILED=1
    done
    say "latency over $transport at $RATE articles/s for $SECONDS_PER_RUN s, 1 worker"
    pipeline "$transport" 1 "latency_$transport" -r "$RATE" -n $((RATE * SECONDS_PER_RUN)) || FAILED=1
done
say "sink merge at 10k, 100k and 1M claims"
export BENCH_HOT=10000      # the hot-key pass: 10k results are enough to see a trend
run "$DRIVERS/bench_merge" 10000 100000 1000000 || FAILED=1

# ---------------------------------------------------------------- the table
fig () { awk -v k="$1" '$1 == k { v = $2 } END { if (v != "") print v }' "$FIGURES"; }
# num VALUE [DECIMALS]: a figure for the table, "n/a" when missing
num () { [ -n "$1" ] && awk -v v="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f", d, v }' || echo "n/a"; }
# ratio A B [DECIMALS]: A / B
ratio () {
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v d="${3:-2}" \
        'BEGIN { if (b > 0) printf "%.*f", d, a / b; else printf "n/a" }' || echo "n/a"
}
percent () {
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" \
        'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else printf "n/a" }' || echo "n/a"
}
# per_article SECONDS: microseconds per article of an end-to-end run
per_article () {
    [ -n "$1" ] && awk -v s="$1" -v n="$((ARTICLES + 1))" 'BEGIN { printf "%.0f", s * 1e6 / n }' || echo "n/a"
}
row () { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"; }

table () {
    norm=$(fig normalize_mbps) memcpy=$(fig memcpy_mbps) uconv=$(fig uconv_mbps)
    ascii=$(fig normalize_ascii_mbps) extract=$(fig extract_mbps) worker=$(fig worker_mbps)
    stage=$(fig stage_normalize_mbps) both=$(fig normalize_extract_mbps)
    echo "| figure | value | ceiling / comparison | ratio | target |"
    echo "|---|---|---|---|---|"
    row "corpus (demo articles repeated)" "$(num "$(fig corpus_mb)" 1) MB, $(num "$(fig corpus_articles)") articles" \
        "" "" "≥ 50 MB"
    row "normalization, one core" "$(num "$norm") MB/s" "memcpy $(num "$memcpy") MB/s" \
        "$(percent "$norm" "$memcpy") of memcpy" "≥ 150 MB/s"
    row "normalization vs ICU" "$(num "$norm") MB/s" "uconv -x '::NFKC;' $(num "$uconv" 1) MB/s" \
        "$(ratio "$norm" "$uconv" 1)× uconv" "several × uconv"
    row "normalization, ASCII-only copy" "$(num "$ascii") MB/s" "memcpy $(num "$memcpy") MB/s" \
        "$(percent "$ascii" "$memcpy") of memcpy" "—"
    row "extraction, one core (MB/s of normalized text)" "$(num "$extract") MB/s" \
        "normalization alone $(num "$stage") MB/s" "$(ratio "$extract" "$stage")× normalization" "—"
    row "normalize + extract, one core (MB/s of raw text)" "$(num "$both") MB/s" \
        "normalization alone $(num "$stage") MB/s" "$(ratio "$both" "$stage")× normalization" "≥ 100 MB/s"
    row "worker total (normalize + extract + RESULT), one core" "$(num "$worker") MB/s" \
        "memcpy $(num "$memcpy") MB/s" "$(percent "$worker" "$memcpy") of memcpy" "≥ 100 MB/s"
    row "worker articles/s, one core" "$(num "$(fig worker_aps)") articles/s" \
        "$(num "$(fig claims_per_article)" 2) claims/article" "" "—"
    for transport in ipc tcp; do
        raw=$(fig "raw_${transport}_aps")
        for workers in 1 2; do
            e2e=$(fig "e2e_${transport}_${workers}w_aps")
            row "end to end, $transport, $workers worker(s)" "$(num "$e2e") articles/s" \
                "raw PUSH/PULL $(num "$raw") msg/s" "$(percent "$e2e" "$raw") of raw" "≥ 50% of raw"
        done
    done
    for transport in ipc tcp; do
        for workers in 1 2; do
            l=e2e_${transport}_${workers}w
            row "CPU per article, end to end, $transport, $workers worker(s)" \
                "sink $(per_article "$(fig "${l}_sink_cpu_s")") µs" \
                "workers $(per_article "$(fig "${l}_workers_cpu_s")") µs, producer $(per_article "$(fig "${l}_producer_cpu_s")") µs" \
                "" "—"
        done
    done
    for transport in ipc tcp; do
        l=latency_$transport
        row "latency accepted → DELTA, $transport, 1 worker" \
            "p50 $(num "$(fig "${l}_p50_ms")" 2) ms, p99 $(num "$(fig "${l}_p99_ms")" 2) ms, max $(num "$(fig "${l}_max_ms")" 2) ms" \
            "offered $(num "$(fig "${l}_offered_aps")") articles/s" \
            "$(num "$(fig "${l}_unseen")") of $((RATE * SECONDS_PER_RUN)) unseen" "p99 ≤ 2 ms at 1,000/s"
    done
    live10k=$(fig merge_10000_live_cps) replay10k=$(fig merge_10000_replay_cps)
    for size in 10000 100000 1000000; do
        case $size in 10000) name=10k;; 100000) name=100k;; *) name=1M;; esac
        live=$(fig "merge_${size}_live_cps") replay=$(fig "merge_${size}_replay_cps")
        row "sink merge, $name claims (live, with DELTA items)" "$(num "$live") claims/s" \
            "10k: $(num "$live10k") claims/s" "10k rate is $(ratio "$live10k" "$live")× this" \
            "1M within 1.2× of 10k"
        row "sink merge, $name claims (replay, no callback)" "$(num "$replay") claims/s" \
            "10k: $(num "$replay10k") claims/s" "10k rate is $(ratio "$replay10k" "$replay")× this" \
            "1M within 1.2× of 10k"
        row "resident memory per distinct claim, $name" "$(num "$(fig "merge_${size}_rss_per_claim")") B" \
            "" "" "≤ 1 KB"
    done
}

machine () {
    model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
    echo "- CPU: ${model:-unknown}, $(nproc) cores online ($(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
    echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- kernel: $(uname -srm)"
    echo "- compiler: $(cc --version | head -1); flags: -O2 -DNDEBUG (MODE=release)," \
         "$(make -s --no-print-directory MODE=release pgo-info)"
    echo "- libraries: libzmq $(pkg-config --modversion libzmq), czmq $(pkg-config --modversion libczmq), utf8proc $(pkg-config --modversion libutf8proc), PCRE2 $(pkg-config --modversion libpcre2-8), SQLite $(pkg-config --modversion sqlite3); $(uconv --version 2>/dev/null | head -1)"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average (1, 5, 15 min) $LOAD_BEFORE before the run, $LOAD_AFTER after"
}

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
TABLE=$(table)
echo
echo "$TABLE"
{
    echo "# Benchmark results (\`make bench\`)"
    echo
    echo "All figures below come from one run of \`make bench\` (bench/run.sh) on this machine:"
    echo
    machine
    echo
    echo "Other work may have shared the cores (the load averages above say how much),"
    echo "so read the figures as conservative: one-core figures are thread CPU time"
    echo "(user + system), but caches and memory bandwidth are shared, and the"
    echo "end-to-end and latency figures are wall-clock time with every process of the"
    echo "pipeline competing for the same $(nproc) cores."
    echo
    echo "$TABLE"
    echo
    echo "## How each figure is measured"
    echo
    echo "- Corpus: the demo articles in samples/ (bodies as the producer parses them)"
    echo "  repeated end to end to at least $MB MB, written to build/bench/corpus.txt;"
    echo "  uconv reads that file, the drivers the same bytes in memory."
    echo "- normalization / memcpy / worker: bench_normalize and bench_extract, one"
    echo "  pinned core, article by article, each figure the best of 3 rounds (another"
    echo "  process can only slow a round); memcpy copies each body into one reused"
    echo "  buffer. uconv: \`uconv -f utf-8 -t utf-8 -x '::NFKC;' < corpus\`, its CPU time."
    echo "  Normalize + extract: both stages back to back, the raw bytes over their"
    echo "  CPU time (issue 4's target).  Extraction alone is timed around each"
    echo "  ab_extract call, over the normalized bytes.  Worker = result with the"
    echo "  article's metadata + normalize + extract + RESULT encoding, what"
    echo "  allybrief-worker does between receiving and sending."
    echo "- end to end: release allybrief-sink, -worker(s) and -producer (--stdin"
    echo "  --exit-when-done, default journal fsync policy) on ipc:// or tcp://127.0.0.1;"
    echo "  bench_pipeline writes $ARTICLES articles (paragraphs of the demo articles"
    echo "  mixed, so that they are not near-duplicates of each other) after one warm-up"
    echo "  article, and times from the first write to the producer's exit, i.e. the"
    echo "  last ACK (merged, stored, DELTA published). Raw: bench_zmq_raw pushes the"
    echo "  first $RAW ARTICLE messages of the same stream, encoded the same way, from"
    echo "  one PUSH to one PULL over the same transport (one hop, nothing decoded)."
    echo "- CPU per article: user + system CPU time of the sink and the workers (from"
    echo "  /proc at the end of the run) and of the producer (from wait4), divided by"
    echo "  the articles of the run: which process limits the end-to-end rate."
    echo "- latency: the same pipeline with one worker, $((RATE * SECONDS_PER_RUN)) articles"
    echo "  written on a fixed schedule of $RATE/s; from just before an article's line"
    echo "  is written to the producer to the arrival, at a PUB subscriber, of the first"
    echo "  DELTA whose summary counts it (articles are merged in order with one worker)."
    echo "  An article without claims publishes no DELTA of its own and is counted at"
    echo "  the next one, which can only lengthen its latency."
    echo "- merge: bench_merge, synthetic RESULTs of 10 claims, every claim a new item;"
    echo "  live = with the change callback building each DELTA item as the sink does,"
    echo "  replay = without (the sink's start-up replay). Memory: resident set growth"
    echo "  over the replay, divided by the number of distinct claims."
    echo
    echo "With 2 cores, the 2-worker runs share them with the producer, the sink and"
    echo "the subscriber: they show the cost of contention more than scaling."
    echo
    echo "Driver output of this run: build/bench/bench.log (not committed)."
} >"$RESULTS"
say "table written to $RESULTS; driver output in $LOG"
[ "$FAILED" = 0 ] || say "some figures are missing: a step failed (see $LOG)"
exit "$FAILED"

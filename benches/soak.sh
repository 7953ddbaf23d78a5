#!/usr/bin/env bash
# benches/soak.sh: shiftdeck left alone on one pane for minutes at the fleet-scale profile with
# churn; RSS, CPU and the allocator's figures once a minute. Not a test and not in CI: run it by
# hand on a quiet machine (see README, Performance). It answers what peers.sh's 60 s window
# cannot: whether idle CPU holds over whole minutes on every pane, and whether memory stays flat.
#
#   benches/soak.sh                         # Nodes pane, 10 minutes
#   PANES="no csr np hc copy" MINUTES=3 benches/soak.sh
#   SIM_FLAGS=--still MINUTES=3 benches/soak.sh
#   PANES=ov,no,csr,np,ms,hc,co,health,lm,copy,maint,no benches/soak.sh   # every pane, then Nodes
#   MALLOC_CONF=narenas:2 benches/soak.sh   # jemalloc options on top of .cargo/config.toml's
#
# Per minute: RSS (MiB), CPU (% of one core over that minute), and from shiftdeck's own debug log
# (`memory_log`, jemalloc): allocated and resident MiB and the store sizes; a tour also prints
# the allocated MiB after each of its panes (logged every 5 s). Minute 1 includes
# start-up (the first lists); the summary line averages minutes 2 and later.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCALE=${SCALE:-nodes=5000,csrs=20000,hostedclusters=200,nodepools=1000,datavolumes=10000}
SIM_FLAGS=${SIM_FLAGS:-}
MINUTES=${MINUTES:-10}
PANES=${PANES:-no}
SHIFTDECK=${SHIFTDECK:-$ROOT/target/release/shiftdeck}
SESSION=sdsoak-$$
WORK=$(mktemp -d)
SIM_PID=
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "soak.sh: $*" >&2; exit 1; }
# shellcheck source=benches/sim_lib.sh
. "$ROOT/benches/sim_lib.sh"
for t in tmux kubectl python3; do command -v "$t" >/dev/null || die "needs $t"; done
[ -x "$SHIFTDECK" ] || (cd "$ROOT" && cargo build --release --locked)

# The last `memory` line of shiftdeck's log, as "allocated resident counts".
last_memory() {
    local log=$WORK/state/shiftdeck/shiftdeck.log
    [ -f "$log" ] || { echo "- - -"; return; }
    grep ' memory ' "$log" | tail -1 | python3 -c '
import re, sys
l = sys.stdin.read()
def f(k):
    m = re.search(k + r"=(\d+)", l)
    return f"{int(m.group(1)) / 1024:.1f}" if m else "-"
m = re.search(r"counts=(.*)$", l.strip())
print(f("allocated_kib"), f("resident_kib"), m.group(1) if m else "-")'
}

echo "scale $SCALE, speed 10, seed 3 $SIM_FLAGS; $MINUTES minutes per pane; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
HZ=$(getconf CLK_TCK)
for pane in $PANES; do
    start_sim
    rm -rf "$WORK/state"
    # A tour logs memory every 5 s (to attribute it to the panes), a single pane once a minute
    # (the log costs about 0.2 % of a core at 5 s, which a `--still` run would count).
    every=60; case $pane in *,*) every=5 ;; esac
    tmux new-session -d -s "$SESSION" -x 200 -y 60 \
        "exec env ${MALLOC_CONF:+_RJEM_MALLOC_CONF=$MALLOC_CONF} SHIFTDECK_MEMORY_EVERY=$every XDG_STATE_HOME=$WORK/state SHIFTDECK_LOG=info,shiftdeck::memory=debug $SHIFTDECK --kubeconfig $KC"
    pid=$(tmux list-panes -t "$SESSION" -F '#{pane_pid}')
    sleep 3
    # "a,b,c" visits each pane DWELL s apart (their models built) and stays on the last; what
    # jemalloc holds after each visit attributes the tour's memory to the panes.
    IFS=, read -ra tour <<<"$pane"
    echo "pane :$pane"
    for i in "${!tour[@]}"; do
        p=${tour[$i]}
        tmux send-keys -t "$SESSION" ":$p" Enter
        [ "$i" -eq $((${#tour[@]} - 1)) ] && break
        sleep "${DWELL:-10}"
        read -r alloc _ _ <<<"$(last_memory)"
        echo "  after :$p  allocated $alloc MiB"
    done
    echo "  min  RSS MiB  CPU %  jemalloc allocated / resident MiB  stores"
    prev=$(ticks "$pid"); pt=$(date +%s.%N); cpus=()
    for m in $(seq "$MINUTES"); do
        sleep 60
        now=$(ticks "$pid"); t=$(date +%s.%N)
        cpu=$(python3 -c "print(f'{($now - $prev) / $HZ / ($t - $pt) * 100:.1f}')")
        [ "$m" -gt 1 ] && cpus+=("$cpu")
        read -r alloc res counts <<<"$(last_memory)"
        printf '  %3d  %7s  %5s  %8s / %-8s  %s\n' "$m" "$(rss_mib "$pid")" "$cpu" "$alloc" "$res" "$counts"
        prev=$now; pt=$t
    done
    if [ ${#cpus[@]} -gt 0 ]; then
        python3 -c "import sys; v = [float(x) for x in sys.argv[1:]]; print(f'  :$pane CPU over minutes 2..$MINUTES: mean {sum(v)/len(v):.2f} %, max {max(v):.1f} %')" "${cpus[@]}"
    fi
    tmux capture-pane -p -t "$SESSION" >"$WORK/screen-$pane.txt"
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    stop_sim
done

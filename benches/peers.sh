#!/usr/bin/env bash
# benches/peers.sh: shiftdeck side by side with kdash, kubetui and kubectl on a fleet-scale sim.
# Not a test and not in CI: a measurement to run by hand on a quiet machine (see README,
# Performance). Each tool runs alone against a fresh sim, under tmux at 200x60, RUNS times;
# the table shows medians.
#
#   benches/peers.sh                      # all four tools, 3 runs each (about 25 minutes)
#   TOOLS="shiftdeck kubectl" RUNS=1 benches/peers.sh
#   SIM_FLAGS=--still benches/peers.sh    # the same with no churn
#
# Columns:
#   rows     time from process start to the first node row on screen (kubectl: `get nodes -w`)
#   all      `kubectl get nodes -o json > /dev/null` wall time, the bar for the complete list
#   rss30/90 client resident memory 30 s and 90 s after start (MiB)
#   cpu      client CPU, % of one core, from 30 s to 90 s with nobody typing
#   sim      the sim's CPU over the same window
#   (kubectl-all: one `kubectl get -A -w` per kind shiftdeck watches, for the API bytes only;
#   its memory and CPU are those of the shell that waits for them)
#   req/min, MB/min  requests and bytes the sim served in that window (its /metrics counters)
#   keys     keystroke to changed screen, p50/p95 in ms: Down x10 on the node list, and for
#            shiftdeck also `:csr`, PageDown x5, `/` and three filter characters, Esc, `:np`,
#            `:hc`, `:copy`, `:no`. tmux capture-pane is polled every ~3 ms, so that is the floor.
#
# Peers are installed with `cargo install --locked kdash kubetui` into $CACHE when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCALE=${SCALE:-nodes=5000,csrs=20000,hostedclusters=200,nodepools=1000,datavolumes=10000}
SIM_FLAGS=${SIM_FLAGS:-}
RUNS=${RUNS:-3}
TOOLS=${TOOLS:-shiftdeck kdash kubetui kubectl kubectl-all}
# Every kind shiftdeck watches, for `kubectl-all`: one `kubectl get -A -w` each, the bar for
# API bytes in a steady minute.
WATCHED="nodes certificatesigningrequests machines.machine.openshift.io machines.cluster.x-k8s.io hostedclusters.hypershift.openshift.io nodepools.hypershift.openshift.io clusteroperators.config.openshift.io machinesets.machine.openshift.io virtualmachines.kubevirt.io virtualmachineinstances.kubevirt.io virtualmachineinstancemigrations.kubevirt.io datavolumes.cdi.kubevirt.io persistentvolumeclaims storageclasses storageprofiles.cdi.kubevirt.io"
CACHE=${SHIFTDECK_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shiftdeck-bench}
SHIFTDECK=${SHIFTDECK:-$ROOT/target/release/shiftdeck}
T1=${T1:-30}
T2=${T2:-90}
SESSION=sdbench-$$
WORK=$(mktemp -d)
SIM_PID=
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

die() { echo "peers.sh: $*" >&2; exit 1; }
# shellcheck source=benches/sim_lib.sh
. "$ROOT/benches/sim_lib.sh"
for t in tmux kubectl python3; do command -v "$t" >/dev/null || die "needs $t"; done
[ -x "$SHIFTDECK" ] || (cd "$ROOT" && cargo build --release --locked)

install_peers() {
    local want=()
    for p in kdash kubetui; do
        case " $TOOLS " in *" $p "*) [ -x "$CACHE/bin/$p" ] || want+=("$p") ;; esac
    done
    if [ ${#want[@]} -gt 0 ]; then
        echo "installing ${want[*]} into $CACHE (compiles; takes a while)" >&2
        cargo install --locked "${want[@]}" --root "$CACHE" >&2
    fi
}
install_peers

now() { date +%s.%N; }
metric() { kubectl --kubeconfig "$KC" get --raw /metrics | awk -v m="$1" '$1 == m {print $2}'; }
screen() { tmux capture-pane -p -t "$SESSION"; }
# With styles: a moved selection changes only the highlight.
styled() { tmux capture-pane -e -p -t "$SESSION"; }

# The command a tool runs as, and the keys that bring its node list up.
tool_cmd() {
    case $1 in
        shiftdeck) echo "$SHIFTDECK --kubeconfig $KC" ;;
        kdash) echo "$CACHE/bin/kdash" ;;
        kubetui) echo "$CACHE/bin/kubetui" ;;
        kubectl) echo "kubectl --kubeconfig $KC get nodes -w" ;;
        kubectl-all)
            local c="" k
            for k in $WATCHED; do c="$c kubectl --kubeconfig $KC get $k -A -w >/dev/null 2>&1 &"; done
            echo "sh -c '$c wait'"
            ;;
    esac
}
# The keys (tmux key names) that bring a tool's node list up.
tool_keys() {
    case $1 in
        shiftdeck) echo ":no Enter" ;;
        kdash) echo "3" ;;      # the Nodes resource tab
        kubetui) echo "5" ;;    # the Node tab
    esac
}
# The text of a tool's first frame (before it, typed keys arrive cooked: Enter as a line feed,
# which crossterm reads as Ctrl+J).
first_frame() {
    case $1 in
        shiftdeck) echo 'shiftdeck │' ;;
        kdash) echo 'KDash' ;;
        kubetui) echo 'ctx:' ;;
    esac
}

# Milliseconds from $1 (a `now` value, when the tool started) until the screen matches $3
# (a Python regex), "-" after $4 s. If $2 is set, it waits for that first frame, then types
# the tool's node-list keys ($6...); with $5 = again it types them again every second while
# the rows are missing (kdash and kubetui can drop a key typed while they start). One Python
# process polls every 5 ms: a shell loop started two processes a poll, which added hundreds
# of ms to the figure.
wait_rows() {
    python3 - "$SESSION" "$@" <<'PY'
import re, subprocess, sys, time
session, t0, first, rows, limit, again = sys.argv[1:7]
t0, limit, keys = float(t0), float(limit), sys.argv[7:]
def screen():
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                          capture_output=True, text=True).stdout
def wait(pattern, until):
    while not re.search(pattern, screen()):
        if time.time() - t0 >= until:
            print("-")
            sys.exit()
        if again == "again" and time.time() - wait.typed >= 1:
            type_keys()
        time.sleep(0.005)
def type_keys():
    if keys:
        subprocess.run(["tmux", "send-keys", "-t", session, *keys])
    wait.typed = time.time()
wait.typed = float("inf")
if first:
    wait(first, 20)
type_keys()
wait(rows, limit)
print(round((time.time() - t0) * 1000))
PY
}

# One key (tmux key names), then milliseconds until the screen changes (2000 = no change seen).
# One python process sends the key and polls: a poll loop in the shell started a process per
# check, which put its floor near 50 ms.
key_ms() {
    python3 - "$SESSION" "$@" <<'PY'
import subprocess, sys, time
session, keys = sys.argv[1], sys.argv[2:]
def styled():
    return subprocess.run(["tmux", "capture-pane", "-e", "-p", "-t", session],
                          capture_output=True, text=True).stdout
before = styled()
t0 = time.monotonic()
subprocess.run(["tmux", "send-keys", "-t", session, *keys])
while styled() == before:
    if time.monotonic() - t0 >= 2:
        print(2000)
        sys.exit()
print(round((time.monotonic() - t0) * 1000))
PY
}

keystrokes() {
    local tool=$1
    case $tool in
        kubectl | kubectl-all) return ;;
    esac
    for _ in $(seq 10); do key_ms Down; sleep 0.3; done
    if [ "$tool" = shiftdeck ]; then
        tmux send-keys -t "$SESSION" ':csr'; sleep 0.3; key_ms Enter; sleep 1
        for _ in $(seq 5); do key_ms PageDown; sleep 0.3; done
        key_ms /; sleep 0.3
        for c in x 8 6; do key_ms "$c"; sleep 0.3; done
        key_ms Escape; sleep 0.3
        for p in np hc copy no; do
            tmux send-keys -t "$SESSION" ":$p"; sleep 0.3; key_ms Enter; sleep 1
        done
    fi
}

pct() { # pctl p < numbers
    sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print "-"; exit} i = int((NR - 1) * p + 0.5) + 1; print a[i]}'
}

run_once() {
    local tool=$1 out=$2 cmd pid rows all c1 c2 s1 s2 r1 b1 r2 b2 rss30 rss90 keys
    start_sim
    all=-
    if [ "$tool" = kubectl ]; then
        local t0; t0=$(now)
        kubectl --kubeconfig "$KC" get nodes -o json >/dev/null
        all=$(python3 -c "print(round(($(now) - $t0) * 1000))")
    fi
    cmd=$(tool_cmd "$tool")
    local start; start=$(now)
    tmux new-session -d -s "$SESSION" -x 200 -y 60 "exec env KUBECONFIG=$KC $cmd"
    pid=$(tmux list-panes -t "$SESSION" -F '#{pane_pid}')
    rows=-
    local again=
    case $tool in kdash | kubetui) again=again ;; esac
    # shellcheck disable=SC2046 # the keys are separate words
    [ "$tool" = kubectl-all ] ||
        rows=$(wait_rows "$start" "$(first_frame "$tool")" '(x86|arm64)-node-[0-9]{5}' 60 "$again" $(tool_keys "$tool"))
    sleep_until() { python3 -c "import time; time.sleep(max(0, $start + $1 - $(now)))"; }
    sleep_until "$T1"
    rss30=$(rss_mib "$pid"); c1=$(ticks "$pid"); s1=$(ticks "$SIM_PID")
    r1=$(metric shiftdeck_sim_requests_total); b1=$(metric shiftdeck_sim_sent_bytes_total)
    sleep_until "$T2"
    rss90=$(rss_mib "$pid"); c2=$(ticks "$pid"); s2=$(ticks "$SIM_PID")
    r2=$(metric shiftdeck_sim_requests_total); b2=$(metric shiftdeck_sim_sent_bytes_total)
    keys=$(keystrokes "$tool" | tr '\n' ' ')
    echo "  rows $rows ms; keys in order: $keys" >&2
    screen >"$WORK/$tool-screen.txt"; [ -z "${KEEP_SCREENS:-}" ] || cp "$WORK/$tool-screen.txt" "$KEEP_SCREENS/$tool-screen.txt"
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    stop_sim
    local hz; hz=$(getconf CLK_TCK)
    local win=$((T2 - T1))
    python3 - "$out" <<EOF
import json
keys = [int(k) for k in "$keys".split()]
row = {
    "rows": None if "$rows" == "-" else int("$rows"),
    "all": None if "$all" == "-" else int("$all"),
    "rss30": int("$rss30"), "rss90": int("$rss90"),
    "cpu": ($c2 - $c1) / $hz / $win * 100,
    "sim": ($s2 - $s1) / $hz / $win * 100,
    # The two /metrics reads themselves are left out.
    "req": ($r2 - $r1 - 1) * 60 / $win,
    "mb": ($b2 - $b1) * 60 / $win / 1e6,
    "keys": keys,
}
with open("$out", "a") as f:
    f.write(json.dumps(row) + "\n")
EOF
}

echo "scale $SCALE, speed 10, seed 3 $SIM_FLAGS; $RUNS runs per tool; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for tool in $TOOLS; do
    for i in $(seq "$RUNS"); do
        echo "$tool run $i" >&2
        run_once "$tool" "$WORK/$tool.jsonl"
    done
done

python3 - "$WORK" $TOOLS <<'EOF'
import json, statistics, sys
work, tools = sys.argv[1], sys.argv[2:]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
def fmt(x, nd=0, unit=""):
    if x is None:
        return "—"
    return (f"{x:,.{nd}f}" if nd else f"{x:,.0f}") + unit
print("| | " + " | ".join(tools) + " |")
print("|---|" + "---|" * len(tools))
rows = {t: [json.loads(l) for l in open(f"{work}/{t}.jsonl")] for t in tools}
def line(label, f):
    print(f"| {label} | " + " | ".join(f(rows[t]) for t in tools) + " |")
line("first node rows on screen (ms)", lambda r: fmt(med(x["rows"] for x in r)))
line("`kubectl get nodes -o json` (ms)", lambda r: fmt(med(x["all"] for x in r)))
line("RSS at 30 s / 90 s (MiB)", lambda r: f'{fmt(med(x["rss30"] for x in r))} / {fmt(med(x["rss90"] for x in r))}')
line("CPU, 60 s idle (% of a core)", lambda r: fmt(med(x["cpu"] for x in r), 1))
line("sim CPU meanwhile (%)", lambda r: fmt(med(x["sim"] for x in r), 1))
line("API requests / min", lambda r: fmt(med(x["req"] for x in r)))
line("API MB received / min", lambda r: fmt(med(x["mb"] for x in r), 2))
def keys(r):
    ks = sorted(k for x in r for k in x["keys"])
    if not ks:
        return "—"
    p = lambda q: ks[min(len(ks) - 1, int((len(ks) - 1) * q + 0.5))]
    return f"p50 {p(0.5)} / p95 {p(0.95)} ms (n={len(ks)})"
line("keystroke → screen", keys)
EOF

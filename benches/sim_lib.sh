# benches/sim_lib.sh: what peers.sh and soak.sh share (sourced, not run). The caller sets
# SHIFTDECK, SCALE, SIM_FLAGS and WORK, and defines `die`.

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# A fresh sim at the scale profile; sets KC (its kubeconfig) and SIM_PID.
start_sim() {
    KC=$WORK/kubeconfig
    rm -f "$KC"
    # shellcheck disable=SC2086
    "$SHIFTDECK" sim --profile hub --scale "$SCALE" --speed 10 --seed 3 $SIM_FLAGS \
        --kubeconfig-out "$KC" >"$WORK/sim.log" 2>&1 &
    SIM_PID=$!
    for _ in $(seq 600); do
        [ -s "$KC" ] && kubectl --kubeconfig "$KC" get --raw /readyz >/dev/null 2>&1 && return
        sleep 0.1
    done
    die "sim did not start: $(tail -3 "$WORK/sim.log")"
}

stop_sim() { kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=; }

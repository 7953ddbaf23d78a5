#!/usr/bin/env bash
# Refresh the PNG screenshots in this folder from the real TUI running `demo` under tmux.
# Needs (Debian packages): tmux, aha, chromium. Usage: screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in tmux aha chromium; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install tmux aha chromium" >&2; exit 1; }
done
cargo build --release --quiet
bin=target/release/shiftdeck
out=screenshots
cols=160
rows=45
session=shiftdeck-shots-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT

# shot NAME: capture the pane with colours and render it to NAME.png.
shot() {
  local name=$1
  tmux capture-pane -e -p -t "$session" > "$out/$name.ansi"
  {
    echo '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
    echo 'body{margin:0;background:#000} pre{margin:0;padding:8px;font:14px/1.2 "DejaVu Sans Mono",monospace;color:#ddd;background:#000}'
    echo '</style></head><body>'
    echo '<pre>'
    aha --no-header --black < "$out/$name.ansi"
    echo '</pre></body></html>'
  } > "$out/$name.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars \
    --window-size=$((cols * 9 + 16)),$((rows * 17 + 16)) \
    --screenshot="$out/$name.png" "file://$PWD/$out/$name.html" >/dev/null 2>&1
  rm -f "$out/$name.ansi" "$out/$name.html"
  echo "wrote $out/$name.png"
}

# keys KEY...: type into the TUI and let it redraw.
keys() { tmux send-keys -t "$session" "$@"; sleep 1; }

# cmd NAME: open a pane through the command palette.
cmd() { tmux send-keys -t "$session" ':' "$1" Enter; sleep 1.5; }

# demo PROFILE: (re)start the demo on that simulated cluster.
demo() {
  tmux kill-session -t "$session" 2>/dev/null || true
  tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
    "env XDG_STATE_HOME=$(mktemp -d) $bin demo --profile $1 --speed 30"
  sleep 8
}

demo hub
shot overview-hub
cmd nodes
shot nodes
keys '?'
shot help
keys Escape
keys Enter
shot node-details
keys Escape
keys '/' 'kubernetes.io/arch=arm64' Enter
shot nodes-filtered-arm64
keys Escape
cmd csr
shot csrs
keys J
shot csrs-joining
keys Escape
cmd hc
shot hosted-clusters
cmd np
shot node-pools
cmd readiness
shot readiness
cmd copy
shot copies

demo azure
shot overview-azure
cmd ms
shot machinesets-azure

demo microshift
shot overview-microshift

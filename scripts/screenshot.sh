#!/usr/bin/env bash
# Takes a screenshot of the real app running a scenario under a virtual X server.
#
#   scripts/screenshot.sh SCENARIO OUT.png [SECONDS]
#
# SCENARIO is a .ron file or the name of a bundled scenario (three-tier-web,
# cache-in-front-of-db, ...). The app starts with it loaded and running at 1×,
# runs SECONDS (default 8) of wall time, and the window is saved as OUT.png.
#
# Needs: xvfb (xvfb-run), imagemagick (import), xdotool, and a software GL
# driver (Mesa's llvmpipe, package libgl1-mesa-dri).
# Environment: ARCHSIM_BIN (default: target/release/archsim, built if missing),
# SCREEN (default 1600x1000x24), ARCHSIM_SPEED, ARCHSIM_FRAME_TIME=1,
# ARCHSIM_FRAME_LOG=path (frame-time summary written when the app exits),
# ARCHSIM_TOUR=N (show the first-run tour at step N, 1 to 5; by default the
# picture has no tour, though the app's storage here is always a first start),
# KEYS (xdotool key names sent once the window is up, e.g.
# KEYS="ctrl+plus ctrl+plus ctrl+plus ctrl+plus ctrl+plus F5" for presenter mode at 150 %),
# CLICK ("X Y": a left click at that point of the window once it is up, after
# KEYS, e.g. on an edge to show it in the inspector; the pointer is parked again;
# CLICK_AFTER seconds after the window is up, 1 by default).
set -euo pipefail

if [ $# -lt 2 ]; then
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
scenario=$1
out=$2
seconds=${3:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ARCHSIM_BIN:-$root/target/release/archsim}
screen=${SCREEN:-1600x1000x24}

for tool in xvfb-run import xdotool; do
    command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing (apt-get install xvfb imagemagick xdotool)" >&2; exit 1; }
done
if [ ! -x "$bin" ]; then
    cargo build --release --manifest-path "$root/Cargo.toml" >&2
fi
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
case "$scenario" in *.ron) [ -f "$scenario" ] && scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario") ;; esac

# A private runtime dir and fresh app storage, so no saved state leaks in.
scratch=$(mktemp -d)
chmod 700 "$scratch"
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/runtime" "$scratch/data" "$scratch/config"

export XDG_RUNTIME_DIR=$scratch/runtime XDG_DATA_HOME=$scratch/data XDG_CONFIG_HOME=$scratch/config
export ARCHSIM_OPEN=$scenario ARCHSIM_BIN_PATH=$bin OUT=$out SECONDS_TO_RUN=$seconds
# Fresh storage is a first start, which shows the tour: off unless asked for.
export ARCHSIM_TOUR=${ARCHSIM_TOUR:-0}
# No Wayland in the virtual server: make winit use X11.
unset WAYLAND_DISPLAY
export LIBGL_ALWAYS_SOFTWARE=1

xvfb-run -a -s "-screen 0 $screen" bash -c '
    "$ARCHSIM_BIN_PATH" > "$XDG_RUNTIME_DIR/app.log" 2>&1 &
    pid=$!
    # Wait for the window, then let the simulation run.
    win=""
    for _ in $(seq 1 100); do
        win=$(xdotool search --name "^archsim" 2>/dev/null | head -n 1 || true)
        [ -n "$win" ] && break
        kill -0 $pid 2>/dev/null || { cat "$XDG_RUNTIME_DIR/app.log" >&2; exit 1; }
        sleep 0.1
    done
    if [ -z "$win" ]; then echo "screenshot.sh: no archsim window appeared" >&2; cat "$XDG_RUNTIME_DIR/app.log" >&2; kill $pid; exit 1; fi
    # The pointer starts mid-screen: park it in a corner, so no hover card covers the canvas.
    xdotool mousemove 0 0 2>/dev/null || true
    if [ -n "${KEYS:-}" ]; then
        sleep 1
        xdotool windowfocus --sync "$win" 2>/dev/null || true
        for k in $KEYS; do xdotool key --clearmodifiers "$k"; sleep 0.3; done
    fi
    if [ -n "${CLICK:-}" ]; then
        sleep "${CLICK_AFTER:-1}"
        # shellcheck disable=SC2086 # "X Y" is two arguments.
        xdotool mousemove --window "$win" $CLICK click 1
        sleep 0.3
        xdotool mousemove 0 0 2>/dev/null || true
    fi
    sleep "$SECONDS_TO_RUN"
    import -window "$win" "$OUT"
    # Quit through the app (Ctrl+Q) so it saves and writes its frame log.
    xdotool windowfocus --sync "$win" 2>/dev/null || true
    xdotool key --clearmodifiers ctrl+q 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    kill $pid 2>/dev/null || true
    cat "$XDG_RUNTIME_DIR/app.log" >&2
'
echo "$out"

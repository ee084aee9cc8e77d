#!/usr/bin/env bash
# Smoke-test a frozen Shotline: the command line, a whole demo film exported and decoded, and the window opening
# that film with a working player backend. Exits non-zero, saying why, on the first thing that fails.
#
#     packaging/smoke-test.sh PATH/TO/FROZEN/shotline
set -euo pipefail

PROGRAM="$(realpath "$1")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# A fresh settings folder: the user's own settings and recent projects stay out of it.
export SHOTLINE_CONFIG_DIR="$work/config"

fail() {
    echo "Smoke test failed: $*" >&2
    exit 1
}

"$PROGRAM" --version || fail "'shotline --version' did not run"
"$PROGRAM" demo --export demo.mp4 || fail "the frozen 'shotline demo --export demo.mp4' failed"
[[ -s demo.mp4 ]] || fail "demo.mp4 is missing or empty"
[[ -s demo.mp4.provenance.json ]] || fail "the export wrote no provenance sidecar"

# Decode the whole film with the ffmpeg inside the bundle: proves the export plays and that ffmpeg was bundled.
ffmpeg="$(find "$(dirname "$PROGRAM")" -path '*imageio_ffmpeg/binaries/ffmpeg*' -type f | head -n 1)"
[[ -x "$ffmpeg" ]] || fail "no ffmpeg program inside the bundle"
"$ffmpeg" -hide_banner -nostdin -v error -i demo.mp4 -f null - || fail "demo.mp4 does not decode"
streams="$("$ffmpeg" -hide_banner -nostdin -i demo.mp4 2>&1 || true)"
grep -q "Video: h264" <<<"$streams" || fail "demo.mp4 has no H.264 picture"
grep -q "Audio: aac" <<<"$streams" || fail "demo.mp4 has no AAC sound"
echo "Smoke test: the frozen shotline exported $(du -h demo.mp4 | cut -f1) demo.mp4 and it decodes"

# The window, opening the demo project: it must still be running after 10 s (timeout's 124), with Qt's platform
# and FFmpeg multimedia plugins loaded (the player needs the second one, which links against Qt Quick).
project="$(find . -maxdepth 1 -name '*.shotline' -type d | head -n 1)"
[[ -n "$project" ]] || fail "the demo left no project folder to open"
status=0
timeout 10 "$PROGRAM" open "$project" >window.log 2>&1 || status=$?
if [[ $status != 124 ]] || grep -qE "Traceback|No QtMultimedia backends|Could not load the Qt platform plugin" window.log; then
    cat window.log >&2
    fail "the window did not stay open on the demo project (exit status $status)"
fi
echo "Smoke test: the frozen window opened the demo project with a working player backend"

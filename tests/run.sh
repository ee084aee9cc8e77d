#!/bin/sh
# Run every check Shotline's CI runs: lint, format, types, import layering, then the tests.
#
# Meant to run inside a private D-Bus session (the README's test command does `dbus-run-session -- sh tests/run.sh`)
# so the keyring tests talk to a real, freshly unlocked gnome-keyring and never to the user's own one. Everything the
# tests might write (config, keyrings, caches) goes to a throw-away folder. Stops at the first failing step and exits
# with that step's code.
set -eu

cd "$(dirname "$0")/.."

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
    echo "==> no D-Bus session: starting a private one"
    exec dbus-run-session -- sh "$0" "$@"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/shotline-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/config" "$scratch/data" "$scratch/cache" "$scratch/runtime" "$scratch/shotline-config"
chmod 700 "$scratch/runtime"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
export SHOTLINE_CONFIG_DIR="$scratch/shotline-config"
export QT_QPA_PLATFORM=offscreen
export SHOTLINE_REQUIRE_REAL_KEYRING=1

# A fresh login keyring in $XDG_DATA_HOME, created and unlocked with a throw-away password. The daemon prints the
# variables clients need (e.g. GNOME_KEYRING_CONTROL); export each so the tests reach this daemon.
echo "==> printf 'ci-pass' | gnome-keyring-daemon --unlock --components=secrets"
keyring_env=$(printf 'ci-pass' | gnome-keyring-daemon --unlock --components=secrets)
while IFS= read -r line; do
    case $line in
        [A-Za-z_]*=*) export "${line?}" && echo "    exported ${line%%=*}" ;;
    esac
done <<EOF
$keyring_env
EOF

echo "==> keyring smoke test (set, get, delete one entry)"
python3 - <<'EOF'
import secrets

import keyring

service, user, secret = "shotline-ci-smoke", "probe", secrets.token_hex(8)
backend = keyring.get_keyring()
keyring.set_password(service, user, secret)
assert keyring.get_password(service, user) == secret, "the keyring did not give back what was stored"
keyring.delete_password(service, user)
assert keyring.get_password(service, user) is None, "the keyring kept a deleted entry"
print(f"    ok: {type(backend).__module__}.{type(backend).__name__}")
EOF

run() {
    echo "==> $*"
    "$@"
}

run ruff check .
run ruff format --check .
run mypy
run lint-imports
# One worker more than the cores (tests/conftest.py: a worker waits on child processes, sockets and timers a quarter
# of the time); no test measures time, so none has to run alone.
# Byte-compile first: CI sets PYTHONDONTWRITEBYTECODE, and each of the suite's many `shotline` child processes would
# otherwise compile Shotline's modules again (about 0.2 s a start)
run python3 -m compileall -q desktop
# A file or socket left open is reported where the collector finds it, in whatever test runs then (one in Shotline's
# code fails on it: pyproject's filterwarnings), not in the test that left it: such a test runs once more, and -rR
# names it in the summary, so a leak stays in sight without failing a test that had no part in it.
run python3 -m pytest -q -n auto --dist worksteal -m "not frozen" --reruns 1 \
    --only-rerun "Exception ignored in: <(_io\.|socket\.socket)" -rR
# The installable app: PyInstaller's one-folder build and its tarball, with the frozen `shotline demo --export` and
# the frozen window smoke-tested; prints the build time and the bundle size. Built in the scratch folder.
SHOTLINE_NO_INSTALL=1 SHOTLINE_DIST="$scratch/dist" SHOTLINE_BUILD_DIR="$scratch/build" run bash packaging/build-linux.sh
# ...and the parts a frozen build can silently lose (entry-point metadata, ctypes libraries) used through it
SHOTLINE_FROZEN_APP="$scratch/dist/shotline/shotline" run python3 -m pytest -q -m frozen tests/packaging

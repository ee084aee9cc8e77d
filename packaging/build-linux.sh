#!/usr/bin/env bash
# Build the Linux one-folder app and its tarball; smoke-test the frozen program.
#
#     packaging/build-linux.sh            (from anywhere; needs Python 3.11+, ffmpeg is bundled)
#
# Output in dist/: shotline/ (the app folder), shotline-VERSION-linux-ARCH.tar.gz.
# Settings (environment):
#   SHOTLINE_DIST=DIR        where the app and the tarball go (default dist/)
#   SHOTLINE_BUILD_DIR=DIR   PyInstaller's work folder (default build/pyinstaller)
#   SHOTLINE_NO_INSTALL=1    build with what is installed (Shotline and PyInstaller), e.g. the test extras in CI;
#                            by default the script installs both itself
#   SHOTLINE_SKIP_SMOKE=1    skip running the frozen program
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
APP_ID=io.github.shotline.Shotline
PYTHON="${PYTHON:-python3}"
VERSION="${SHOTLINE_VERSION:-$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}"
ARCH="$(uname -m)"
DIST="$(realpath -m "${SHOTLINE_DIST:-dist}")"
WORK="$(realpath -m "${SHOTLINE_BUILD_DIR:-build/pyinstaller}")"
export SHOTLINE_VERSION="$VERSION"

start=$(date +%s)
if [[ "${SHOTLINE_NO_INSTALL:-0}" != 1 ]]; then
    "$PYTHON" -m pip install --upgrade pip
    "$PYTHON" -m pip install ".[c2pa]" "pyinstaller>=6.10"  # with Content Credentials signing
fi
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK" \
    packaging/shotline.spec
built=$(date +%s)

APP="$DIST/shotline"
# Desktop integration files, laid out as under /usr so they can be copied to ~/.local or /usr/local as they are.
install -Dm644 "packaging/linux/$APP_ID.desktop" "$APP/share/applications/$APP_ID.desktop"
install -Dm644 "packaging/linux/$APP_ID.metainfo.xml" "$APP/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 resources/icons/shotline.svg "$APP/share/icons/hicolor/scalable/apps/$APP_ID.svg"
# The project and shared-archive file types; `update-mime-database <prefix>/share/mime` once copied registers them.
install -Dm644 "packaging/linux/$APP_ID.mime.xml" "$APP/share/mime/packages/$APP_ID.xml"

if [[ "${SHOTLINE_SKIP_SMOKE:-0}" != 1 ]]; then
    "$ROOT/packaging/smoke-test.sh" "$APP/shotline"
fi
smoked=$(date +%s)

TARBALL="$DIST/shotline-$VERSION-linux-$ARCH.tar.gz"
tar -C "$DIST" -czf "$TARBALL" shotline
end=$(date +%s)

echo "Build time: $((built - start)) s to build the app folder, $((end - smoked)) s for the tarball," \
    "$((end - start)) s in all (smoke test included)"
echo "Bundle size: $(du -sh "$APP" | cut -f1) app folder, $(du -h "$TARBALL" | cut -f1) tarball ($TARBALL)"

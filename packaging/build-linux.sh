#!/usr/bin/env bash
# Build the Linux one-folder app and its tarball; smoke-test the frozen program.
#
#     packaging/build-linux.sh            (from anywhere; needs Python 3.11+, ffmpeg is bundled)
#
# Output in dist/: shotline/ (the app folder), shotline-VERSION-linux-x86_64.tar.gz.
# Set SHOTLINE_SKIP_SMOKE=1 to skip running the frozen `shotline demo --export`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
APP_ID=io.github.shotline.Shotline
VERSION="${SHOTLINE_VERSION:-$(python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}"
ARCH="$(uname -m)"
export SHOTLINE_VERSION="$VERSION"

start=$(date +%s)
python -m pip install --upgrade pip
python -m pip install . "pyinstaller>=6.10"
python -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/shotline.spec
built=$(date +%s)

APP="dist/shotline"
# Desktop integration files, laid out as under /usr so they can be copied to ~/.local or /usr/local as they are.
install -Dm644 "packaging/linux/$APP_ID.desktop" "$APP/share/applications/$APP_ID.desktop"
install -Dm644 "packaging/linux/$APP_ID.metainfo.xml" "$APP/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 resources/icons/shotline.svg "$APP/share/icons/hicolor/scalable/apps/$APP_ID.svg"
# The project and shared-archive file types; `update-mime-database <prefix>/share/mime` once copied registers them.
install -Dm644 "packaging/linux/$APP_ID.mime.xml" "$APP/share/mime/packages/$APP_ID.xml"

if [[ "${SHOTLINE_SKIP_SMOKE:-0}" != 1 ]]; then
    smoke="$(mktemp -d)"
    (cd "$smoke" && QT_QPA_PLATFORM=offscreen "$ROOT/$APP/shotline" --version)
    (cd "$smoke" && QT_QPA_PLATFORM=offscreen "$ROOT/$APP/shotline" demo --export demo.mp4)
    test -s "$smoke/demo.mp4"
    echo "Smoke test: the frozen shotline exported $(du -h "$smoke/demo.mp4" | cut -f1) demo.mp4"
    rm -rf "$smoke"
fi

TARBALL="dist/shotline-$VERSION-linux-$ARCH.tar.gz"
tar -C dist -czf "$TARBALL" shotline
end=$(date +%s)

echo "Build time: $((built - start)) s (PyInstaller), $((end - start)) s in all"
echo "Bundle size: $(du -sh "$APP" | cut -f1) folder, $(du -h "$TARBALL" | cut -f1) tarball ($TARBALL)"

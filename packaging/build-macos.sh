#!/usr/bin/env bash
# Build Shotline.app and a .dmg; sign and notarise them when the keys are there.
#
#     packaging/build-macos.sh
#
# Signing (all optional; without them the app is built unsigned, which is enough to test it locally):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: NAME (TEAMID)", present in the login or a CI keychain
#   MACOS_NOTARY_PROFILE  a profile saved with `xcrun notarytool store-credentials`, or instead the three:
#   MACOS_NOTARY_APPLE_ID, MACOS_NOTARY_TEAM_ID, MACOS_NOTARY_PASSWORD (an app-specific password)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION="${SHOTLINE_VERSION:-$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}"
ARCH="$(uname -m)"
export SHOTLINE_VERSION="$VERSION"
APP="dist/Shotline.app"
DMG="dist/Shotline-$VERSION-macos-$ARCH.dmg"

start=$(date +%s)
python3 -m pip install --upgrade pip
python3 -m pip install ".[c2pa]" "pyinstaller>=6.10"  # with Content Credentials signing

# The icon: SVG -> 1024 px PNG (Qt, which Shotline already needs) -> iconset -> .icns.
iconset="$(mktemp -d)/shotline.iconset"
mkdir -p "$iconset"
python3 - "$iconset/icon_512x512@2x.png" <<'PY'
import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication(["icon", "-platform", "offscreen"])
image = QImage(1024, 1024, QImage.Format.Format_ARGB32)
image.fill(0)
painter = QPainter(image)
QSvgRenderer("resources/icons/shotline.svg").render(painter)
painter.end()
image.save(sys.argv[1])
PY
for size in 16 32 128 256 512; do
    sips -z $size $size "$iconset/icon_512x512@2x.png" --out "$iconset/icon_${size}x${size}.png" >/dev/null
    sips -z $((size * 2)) $((size * 2)) "$iconset/icon_512x512@2x.png" --out "$iconset/icon_${size}x${size}@2x.png" >/dev/null
done
iconutil -c icns "$iconset" -o packaging/macos/shotline.icns

python3 -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/shotline.spec
sed "s/@VERSION@/$VERSION/g" packaging/macos/Info.plist > "$APP/Contents/Info.plist"
cp packaging/macos/shotline.icns "$APP/Contents/Resources/shotline.icns"

# Smoke test the frozen program from inside the .app.
smoke="$(mktemp -d)"
(cd "$smoke" && "$ROOT/$APP/Contents/MacOS/shotline" demo --export demo.mp4)
test -s "$smoke/demo.mp4"

if [[ -n "${MACOS_SIGN_IDENTITY:-}" ]]; then
    # Sign inside out: every library and program, then the app, with the hardened runtime and a secure timestamp.
    find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 |
        xargs -0 codesign --force --options runtime --timestamp \
            --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY"
    codesign --force --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$APP"
    codesign --verify --deep --strict --verbose=2 "$APP"
fi

rm -f "$DMG"
hdiutil create -volname Shotline -srcfolder "$APP" -ov -format UDZO "$DMG"

if [[ -n "${MACOS_SIGN_IDENTITY:-}" ]]; then
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
    if [[ -n "${MACOS_NOTARY_PROFILE:-}" ]]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
    elif [[ -n "${MACOS_NOTARY_APPLE_ID:-}" ]]; then
        xcrun notarytool submit "$DMG" --apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" \
            --password "$MACOS_NOTARY_PASSWORD" --wait
    else
        echo "Signed but not notarised: set MACOS_NOTARY_PROFILE or MACOS_NOTARY_APPLE_ID/TEAM_ID/PASSWORD." >&2
    fi
    if [[ -n "${MACOS_NOTARY_PROFILE:-}${MACOS_NOTARY_APPLE_ID:-}" ]]; then
        xcrun stapler staple "$DMG"
        spctl --assess --type open --context context:primary-signature --verbose "$DMG"
    fi
else
    echo "Unsigned build: set MACOS_SIGN_IDENTITY to sign (and the notary variables to notarise)." >&2
fi

end=$(date +%s)
echo "Build time: $((end - start)) s"
echo "Bundle size: $(du -sh "$APP" | cut -f1) app, $(du -h "$DMG" | cut -f1) dmg ($DMG)"

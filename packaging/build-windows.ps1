# Build the Windows one-folder app and its Inno Setup installer; smoke-test the frozen program.
#
#     powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
#
# Needs Python 3.11+ and Inno Setup 6 (iscc.exe on PATH or in its default folder).
# Signing (optional): WINDOWS_SIGN_PFX (path to a .pfx) and WINDOWS_SIGN_PASSWORD; signtool comes with the Windows SDK.
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = Resolve-Path (Join-Path $PSScriptRoot "..")
Set-Location $Root
if ($env:SHOTLINE_VERSION) { $Version = $env:SHOTLINE_VERSION } else {
    $Version = python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
}
$env:SHOTLINE_VERSION = $Version
$start = Get-Date

function Invoke-Checked([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

Invoke-Checked python @("-m", "pip", "install", "--upgrade", "pip")
Invoke-Checked python @("-m", "pip", "install", ".[c2pa]", "pyinstaller>=6.10")  # with Content Credentials signing

# The icon: SVG -> .ico with sizes 16..256, drawn by Qt (already installed for Shotline).
@'
from PySide6.QtCore import QBuffer, QByteArray
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
import struct
app = QGuiApplication(["icon", "-platform", "offscreen"])
renderer = QSvgRenderer("resources/icons/shotline.svg")
pngs = []
for size in (16, 24, 32, 48, 64, 128, 256):
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    pngs.append((size, bytes(data)))
header = struct.pack("<HHH", 0, 1, len(pngs))
offset = 6 + 16 * len(pngs)
entries, blobs = b"", b""
for size, png in pngs:
    entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(blobs))
    blobs += png
open("packaging/windows/shotline.ico", "wb").write(header + entries + blobs)
'@ | python -
if ($LASTEXITCODE -ne 0) { throw "Making the icon failed" }

Invoke-Checked python @("-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", "dist", "--workpath", "build\pyinstaller", "packaging\shotline.spec")
$built = Get-Date

# Smoke test the frozen program.
$smoke = Join-Path ([System.IO.Path]::GetTempPath()) ("shotline-smoke-" + [guid]::NewGuid())
New-Item -ItemType Directory $smoke | Out-Null
Push-Location $smoke
try {
    Invoke-Checked (Join-Path $Root "dist\shotline\shotline.exe") @("demo", "--export", "demo.mp4")
    if (-not (Test-Path demo.mp4) -or (Get-Item demo.mp4).Length -eq 0) { throw "The frozen shotline made no demo.mp4" }
} finally { Pop-Location; Remove-Item -Recurse -Force $smoke }

$signtool = $null
if ($env:WINDOWS_SIGN_PFX) {
    $signtool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
    if (-not $signtool) {
        $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" | Select-Object -Last 1 -ExpandProperty FullName
    }
    $signArgs = @("sign", "/f", $env:WINDOWS_SIGN_PFX, "/p", $env:WINDOWS_SIGN_PASSWORD, "/fd", "SHA256", "/tr", "http://timestamp.digicert.com", "/td", "SHA256")
    Invoke-Checked $signtool ($signArgs + @("dist\shotline\shotline.exe", "dist\shotline\shotline-app.exe"))
}

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue)
if ($iscc) { $iscc = $iscc.Source } else { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
Invoke-Checked $iscc @("/DAppVersion=$Version", "/DSourceDir=$Root\dist\shotline", "/O$Root\dist", "packaging\windows\shotline.iss")
$setup = Join-Path $Root "dist\Shotline-$Version-windows-x64-setup.exe"
if ($signtool) { Invoke-Checked $signtool ($signArgs + @($setup)) }

$end = Get-Date
$folderBytes = (Get-ChildItem -Recurse -File dist\shotline | Measure-Object -Property Length -Sum).Sum
Write-Host ("Build time: {0:N0} s (PyInstaller), {1:N0} s in all" -f ($built - $start).TotalSeconds, ($end - $start).TotalSeconds)
Write-Host ("Bundle size: {0:N0} MB folder, {1:N0} MB installer ({2})" -f ($folderBytes / 1MB), ((Get-Item $setup).Length / 1MB), $setup)

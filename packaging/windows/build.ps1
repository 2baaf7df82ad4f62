# Build cypdesk for Windows: the one-folder build, its zip and SHA-256, and the MSI.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Sign]
#
# Needs: Python 3.11 (the py launcher), WiX Toolset v3 (heat, candle, light on PATH or
# in WIX\bin), and for -Sign, signtool.exe (Windows SDK) with the trust's code-signing
# certificate (CYPDESK_SIGN_CERT: its SHA-1 thumbprint in the certificate store).
# Makes, under dist\:
#   cypdesk\                                 the one-folder build (cypdesk.exe, cypdesk-cli.exe)
#   cypdesk-<version>-windows-x86_64.zip     that folder zipped, and its .sha256
#   cypdesk-<version>-windows-x86_64.msi     the per-machine installer, and its .sha256
#   largest-files.txt                        what takes the space
# NOT TESTED HERE: this project's machines run Linux. The Linux build, and the WiX
# source compiling (with wixl), are tested by packaging/smoke.py.
param([switch]$Sign)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

function Step($text) { Write-Host "build: $text" }

# 1. The virtual environment and PyInstaller.
if (-not (Test-Path ".venv\Scripts\python.exe")) {
    Step "creating .venv"
    py -3.11 -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "could not create .venv with Python 3.11 (install it from python.org)" }
}
$py = ".venv\Scripts\python.exe"
& $py -m pip install --quiet --disable-pip-version-check -e ".[packaging]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
$version = (& $py -c "import cypdesk; print(cypdesk.__version__)").Trim()

# 2. PyInstaller: dist\cypdesk\ (cypdesk.exe without a console, cypdesk-cli.exe with one;
#    icon and version resource from the spec).
Step "running PyInstaller for cypdesk $version"
& $py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\cypdesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# 3. Sign the programs before they are zipped and wrapped (SmartScreen and AppLocker
#    publisher rules read the signature).
function SignFile($path) {
    if (-not $env:CYPDESK_SIGN_CERT) { throw "-Sign needs CYPDESK_SIGN_CERT (the certificate's thumbprint)" }
    signtool sign /sha1 $env:CYPDESK_SIGN_CERT /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 $path
    if ($LASTEXITCODE -ne 0) { throw "signtool failed on $path" }
}
if ($Sign) { SignFile "dist\cypdesk\cypdesk.exe"; SignFile "dist\cypdesk\cypdesk-cli.exe" }

# 4. The self-test of the build itself.
& "dist\cypdesk\cypdesk-cli.exe" --self-test
if ($LASTEXITCODE -ne 0) { throw "the built cypdesk failed its self-test" }

# 5. The zip, its SHA-256 and the list of the largest files.
& $py packaging\make_zip.py dist\cypdesk
if ($LASTEXITCODE -ne 0) { throw "packing the zip failed" }

# 6. The MSI: harvest the folder's files, compile, link.
$wixBin = if ($env:WIX) { Join-Path $env:WIX "bin" } else { "" }
function Wix($tool) { if ($wixBin) { Join-Path $wixBin "$tool.exe" } else { "$tool.exe" } }
New-Item -ItemType Directory -Force build\wix | Out-Null
& (Wix heat) dir dist\cypdesk -nologo -cg CypdeskFiles -dr INSTALLDIR -srd -gg -sfrag -sreg -var var.SourceDir -out build\wix\files.wxs
if ($LASTEXITCODE -ne 0) { throw "heat failed" }
& (Wix candle) -nologo -arch x64 -dSourceDir=dist\cypdesk -dVersion=$version -dIconFile=resources\icons\cypdesk.ico `
    -out build\wix\ packaging\windows\cypdesk.wxs build\wix\files.wxs
if ($LASTEXITCODE -ne 0) { throw "candle failed" }
$msi = "dist\cypdesk-$version-windows-x86_64.msi"
& (Wix light) -nologo -spdb -out $msi build\wix\cypdesk.wixobj build\wix\files.wixobj
if ($LASTEXITCODE -ne 0) { throw "light failed" }
if ($Sign) { SignFile $msi }
$hash = (Get-FileHash -Algorithm SHA256 $msi).Hash.ToLower()
Set-Content -Encoding ascii -Path "$msi.sha256" -Value "$hash  $(Split-Path $msi -Leaf)"
Step "done: $msi ($hash)"

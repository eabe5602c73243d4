#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages GLM Desk needs that a fresh machine may lack.
#   install-system-deps.sh          what the app needs to run (Qt's runtime libraries;
#                                   bubblewrap, the snippet runner's sandbox)
#   install-system-deps.sh --test   also what the test suite needs: Xvfb, xdotool, ImageMagick and
#                                   tesseract (screenshots and OCR of real windows); binutils
#                                   (the bundle build strips and inspects libraries); validators
#                                   of the launcher and metainfo; gio (opens a launcher); cmake,
#                                   g++ and make (the tests build a real llama-server once, see
#                                   tests/llama.py); gnome-keyring and dbus (a real Secret
#                                   Service on a private session bus, tests/integration/
#                                   test_secret_service.py); Node.js (JavaScript snippets
#                                   run in the sandbox tests)
# Idempotent: apt is not touched when everything is already installed.
set -euo pipefail

runtime=(
  libegl1 libgl1 libopengl0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0
  libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 fonts-dejavu-core fonts-noto-cjk
  python3-venv bubblewrap
)
testing=(
  xvfb xauth xdotool imagemagick x11-utils tesseract-ocr binutils
  desktop-file-utils appstream libglib2.0-bin cmake g++ make
  gnome-keyring dbus dbus-x11 nodejs
)

want=("${runtime[@]}")
[ "${1:-}" = "--test" ] && want+=("${testing[@]}")

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Not a Debian-like system: install the equivalents of: ${missing[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

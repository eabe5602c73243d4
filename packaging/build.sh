#!/usr/bin/env bash
# Builds the double-click app from a clean checkout: a one-folder PyInstaller bundle with the
# launcher, icons and metainfo inside, and a .tar.gz of it.
#
#   packaging/build.sh [--dist DIR] [--work DIR]
#
#   DIST (default dist/):  glm-desk/                      the bundle; run glm-desk/glm-desk
#                          glm-desk-VERSION-linux-ARCH.tar.gz
#   WORK (default build/): the build's virtual environment and PyInstaller's work files
#
# The bundle is built in its own virtual environment that holds only the app's runtime
# dependencies and PyInstaller (pinned in packaging/requirements-build.txt), so no test or
# development package can end up inside.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/dist
work=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: packaging/build.sh [--dist DIR] [--work DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$dist" "$work"
dist=$(cd "$dist" && pwd)
work=$(cd "$work" && pwd)
python=${PYTHON:-python3}
step() { printf '== %s\n' "$*" >&2; }

app_id=$("$python" -c "import sys; sys.path.insert(0, '$root'); from app import APP_ID; print(APP_ID)")
version=$("$python" -c "import sys; sys.path.insert(0, '$root'); from app import __version__; print(__version__)")
arch=$(uname -m)

step "build environment ($work/venv)"
[ -x "$work/venv/bin/python" ] || "$python" -m venv "$work/venv"
# A non-editable install of this checkout: the bundle holds exactly what a user's pip would.
pip=("$work/venv/bin/pip" install -q --disable-pip-version-check)
"${pip[@]}" -r "$root/packaging/requirements-build.txt" "$root"
"${pip[@]}" --no-deps --force-reinstall "$root" # a reused environment gets this checkout's code

step "PyInstaller bundle"
rm -rf "$dist/glm-desk"
"$work/venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$dist" \
  --workpath "$work/pyinstaller" "$root/packaging/pyinstaller/glm-desk.spec"

step "launcher, icons and metainfo"
bundle=$dist/glm-desk
mkdir -p "$bundle/share/applications" "$bundle/share/metainfo" "$bundle/share/icons"
cp "$root/packaging/linux/$app_id.desktop" "$bundle/share/applications/"
cp "$root/packaging/linux/$app_id.metainfo.xml" "$bundle/share/metainfo/"
cp -r "$root/resources/icons/hicolor" "$bundle/share/icons/"
cp "$root/packaging/linux/install-desktop.sh" "$bundle/"
cp "$root/LICENSE" "$bundle/"

step "archive"
archive=$dist/glm-desk-$version-linux-$arch.tar.gz
tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner \
  --transform "s|^glm-desk|glm-desk-$version|" -czf "$archive" glm-desk

# No AppImage: appimagetool and the AppImage runtime are in neither Debian's packages nor PyPI
# (PyPI's appimage packages download them at build time). packaging/README.md says more.

size=$(du -sh "$bundle" | cut -f1)
step "done: $bundle/glm-desk ($size), $archive ($(du -h "$archive" | cut -f1))"

#!/usr/bin/env bash
# Puts GLM Desk in the desktop's application menu for the current user (no root needed):
# the launcher (.desktop), the icons in every size and the AppStream metainfo, in the XDG data
# directory (${XDG_DATA_HOME:-~/.local/share}). Then it opens on a double-click.
#
#   install-desktop.sh              install, launching the glm-desk found beside this script
#                                   (an unpacked bundle) or else the one on PATH (pip install)
#   install-desktop.sh --exec PATH  install, launching PATH
#   install-desktop.sh --uninstall  remove what an install put there
#
# Works from an unpacked bundle (files under share/) and from a source checkout
# (packaging/linux and resources/icons/hicolor).
set -euo pipefail

APP_ID=io.github.glmdesk.GlmDesk
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}

if [ -d "$here/share/applications" ]; then # an unpacked bundle
  desktop_src=$here/share/applications/$APP_ID.desktop
  metainfo_src=$here/share/metainfo/$APP_ID.metainfo.xml
  icons_src=$here/share/icons/hicolor
else # a source checkout
  desktop_src=$here/$APP_ID.desktop
  metainfo_src=$here/$APP_ID.metainfo.xml
  icons_src=$here/../../resources/icons/hicolor
fi

refresh() {
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
  fi
}

icon_files() { # relative paths of the icons, one a line
  (cd "$icons_src" && find . -name "$APP_ID.*" -type f | sed 's|^\./||' | sort)
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml"
  icon_files | while read -r rel; do rm -f "$data/icons/hicolor/$rel"; done
  refresh
  echo "GLM Desk removed from the application menu."
  exit 0
fi

exe=""
if [ "${1:-}" = "--exec" ]; then
  exe=${2:?--exec needs the path of the glm-desk executable}
elif [ -x "$here/glm-desk" ]; then
  exe=$here/glm-desk
else
  exe=$(command -v glm-desk || true)
fi
if [ -z "$exe" ] || [ ! -x "$exe" ]; then
  echo "No glm-desk executable found: run this from an unpacked bundle, put glm-desk on" >&2
  echo "PATH (pip install), or name it with --exec PATH." >&2
  exit 1
fi
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")

# Exec names the executable by its absolute path, quoted as the Desktop Entry specification
# asks (a path may hold spaces): inside the quotes ", `, $ and \ take a backslash, every
# backslash is doubled once more as in any value, and % is written %%.
exec_quoted=$(printf '%s' "$exe" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')
try_exec=$(printf '%s' "$exe" | sed -e 's/\\/\\\\/g')
mkdir -p "$data/applications" "$data/metainfo"
while IFS= read -r line; do
  case $line in
    Exec=*) printf 'Exec="%s"\n' "$exec_quoted" ;;
    TryExec=*) printf 'TryExec=%s\n' "$try_exec" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$desktop_src" >"$data/applications/$APP_ID.desktop.tmp"
mv "$data/applications/$APP_ID.desktop.tmp" "$data/applications/$APP_ID.desktop"
cp "$metainfo_src" "$data/metainfo/$APP_ID.metainfo.xml"
icon_files | while read -r rel; do
  mkdir -p "$(dirname "$data/icons/hicolor/$rel")"
  cp "$icons_src/$rel" "$data/icons/hicolor/$rel"
done
refresh
echo "GLM Desk is in the application menu ($data/applications/$APP_ID.desktop), launching $exe."

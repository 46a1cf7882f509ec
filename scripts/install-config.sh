#!/usr/bin/env bash
# meson install step for a file the operator edits: EXAMPLE goes to $DESTDIR/TARGET (mode MODE) only
# where none exists, so that an upgrade never overwrites the appliance's configuration; the example is
# always installed beside it as TARGET.example. Usage: install-config.sh EXAMPLE TARGET MODE
set -euo pipefail
example=$1 target=${DESTDIR:-}$2 mode=$3
install -d -m 0755 "$(dirname "$target")"
install -m 0644 "$example" "$target.example"
if [ -e "$target" ]; then
  echo "install-config.sh: $target exists: kept"
else
  install -m "$mode" "$example" "$target"
fi

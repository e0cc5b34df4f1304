#!/usr/bin/env bash
# Builds the decoder adapter programs (conformance/adapters/NAME/) into the
# adapters directory: $VXCONFORM_ADAPTERS, else target/adapters of this
# workspace, where `vxconform --decoder NAME` looks for them.
#
#   conformance/adapters/build.sh            # every adapter
#   conformance/adapters/build.sh gopacket   # only these
#
# Each adapter directory has its own `build` script, run as
# `NAME/build OUT` (OUT: the absolute path of the program to write). It
# needs only what .ci/run installs (Debian packages, crates.io, PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${VXCONFORM_ADAPTERS:-$here/../../target/adapters}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ "$#" -eq 0 ]; then
  set --
  for d in "$here"/*/; do
    [ -x "$d/build" ] && set -- "$@" "$(basename "$d")"
  done
fi
for name in "$@"; do
  if [ ! -x "$here/$name/build" ]; then
    echo "build.sh: no adapter $name (expected $here/$name/build)" >&2
    exit 2
  fi
  echo "building adapter $name -> $out/$name" >&2
  "$here/$name/build" "$out/$name"
  "$out/$name" --version >&2
done

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the layer rule (a file includes only its own layer and those below),
# the SPDX line, and reports files over the size targets.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A rank=([core]=0 [net]=1 [lb]=1 [http]=1 [store]=1 [config]=2 [proxy]=3 [health]=3 [agent]=4 [api]=5 [admin]=5 [cli]=6)
fail=0
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
  head -1 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || { echo "$f: no SPDX line"; fail=1; }
  layer=$(echo "$f" | cut -d/ -f2); [[ $layer == *.c ]] && layer=main
  mine=${rank[$layer]:-9}
  while read -r inc; do
    dep=${inc%%/*}
    [[ -n ${rank[$dep]+x} ]] || continue
    if (( ${rank[$dep]} > mine )) || { (( ${rank[$dep]} == mine )) && [[ $dep != "$layer" ]]; }; then
      echo "$f: includes $inc (layer $dep is not below $layer)"; fail=1
    fi
  done < <(grep -oP '#include "\K[^"]+' "$f")
  n=$(wc -l < "$f")
  if [[ $f == *.c ]] && (( n > 800 )); then echo "$f: $n lines (target 800)"; fi
done
exit $fail

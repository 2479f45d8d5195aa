#!/usr/bin/env bash
# Cross-builds the Windows addon on Linux with mingw-w64, into native/prebuilds/win32-x64/jobscope.node.
# Windows users build the same sources with MSVC through node-gyp (binding.gyp); this build exists so
# the Windows backend can be compiled and tested (under Wine) here. Usage: npm run build:win
set -euo pipefail
native="$(cd "$(dirname "$0")/.." && pwd)"
root="$(dirname "$native")"
cxx=x86_64-w64-mingw32-g++-posix  # the win32-thread variant lacks std::mutex, which node-addon-api needs
dlltool=x86_64-w64-mingw32-dlltool
for tool in "$cxx" "$dlltool"; do
  command -v "$tool" >/dev/null || { echo "build-win: $tool not found; install mingw-w64 and mingw-w64-tools" >&2; exit 1; }
done

headers="$root/node_modules/node-api-headers"
addon_api="$root/node_modules/node-addon-api"
work="$native/build-win"
out="$native/prebuilds/win32-x64"
mkdir -p "$work" "$out"

# node.exe exports the N-API symbols; the import library lets the DLL link against them.
"$dlltool" -d "$headers/def/node_api.def" -l "$work/libnode_api.a" -D node.exe

sources=("$native/src/addon.cc" "$native"/src/win/*.cc)
"$cxx" -std=c++17 -O2 -Wall -Wextra -Werror -shared -D_WIN32_WINNT=0x0A00 \
  -DUNICODE -D_UNICODE -DWIN32_LEAN_AND_MEAN -DNOMINMAX \
  -DNAPI_CPP_EXCEPTIONS -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED -DBUILDING_NODE_EXTENSION \
  -I"$headers/include" -I"$addon_api" \
  "${sources[@]}" \
  -static -static-libgcc -static-libstdc++ "$work/libnode_api.a" \
  -o "$out/jobscope.node"
echo "built $out/jobscope.node"

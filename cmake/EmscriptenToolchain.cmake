# Toolchain for build/wasm: Debian's emscripten toolchain plus the fixes this machine needs.
# Used by cmake/WasmTree.cmake; usable by hand:
#   cmake -S . -B build/wasm -DCMAKE_TOOLCHAIN_FILE=cmake/EmscriptenToolchain.cmake

# Node here does not come from Debian, so emscripten's JS optimizer (run by em++ at link
# time in optimized builds) cannot find Debian's acorn module unless NODE_PATH points at it.
# ENV covers calls made while configuring; the launchers cover every compile and link.
set(OAT_EM_NODE_PATH /usr/share/nodejs)
set(ENV{NODE_PATH} ${OAT_EM_NODE_PATH})
foreach(kind C_COMPILER CXX_COMPILER C_LINKER CXX_LINKER)
  set(CMAKE_${kind}_LAUNCHER env NODE_PATH=${OAT_EM_NODE_PATH})
endforeach()

include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

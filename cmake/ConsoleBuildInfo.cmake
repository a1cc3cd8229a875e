# Names the console's program by its content and writes build.json beside it:
#   cmake -DDIR=path/to/console -P ConsoleBuildInfo.cmake
# oat_console.wasm and oat_console.js (and their .gz siblings) are copied to
# oat_console.<hash>.wasm and oat_console.<hash>.js, <hash> the first 12 hex digits of the
# SHA-256 of the wasm and the js together, so that a server may let browsers keep them for a
# year (a new build is a new name); copies of earlier builds are removed. build.json names them
# and the program's uncompressed size (for the loader's progress bar):
#   {"wasmBytes": N, "wasm": "oat_console.<hash>.wasm", "js": "oat_console.<hash>.js"}
file(SHA256 "${DIR}/oat_console.wasm" wasm_sum)
file(SHA256 "${DIR}/oat_console.js" js_sum)
string(SHA256 sum "${wasm_sum}${js_sum}")
string(SUBSTRING "${sum}" 0 12 hash)

file(GLOB stale "${DIR}/oat_console.*.wasm" "${DIR}/oat_console.*.wasm.gz"
                "${DIR}/oat_console.*.js" "${DIR}/oat_console.*.js.gz")
foreach(f IN LISTS stale)
  if(NOT f MATCHES "oat_console\\.${hash}\\.")
    file(REMOVE "${f}")
  endif()
endforeach()
foreach(ext IN ITEMS wasm wasm.gz js js.gz)
  if(EXISTS "${DIR}/oat_console.${ext}")
    file(COPY_FILE "${DIR}/oat_console.${ext}" "${DIR}/oat_console.${hash}.${ext}" ONLY_IF_DIFFERENT)
  endif()
endforeach()

file(SIZE "${DIR}/oat_console.wasm" wasm_bytes)
file(WRITE "${DIR}/build.json"
  "{\"wasmBytes\": ${wasm_bytes}, \"wasm\": \"oat_console.${hash}.wasm\", \"js\": \"oat_console.${hash}.js\"}\n")

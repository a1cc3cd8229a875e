# Writes OUT (build.json beside the console) naming the size of WASM in bytes:
#   cmake -DWASM=path/oat_console.wasm -DOUT=path/build.json -P ConsoleBuildInfo.cmake
file(SIZE "${WASM}" wasm_bytes)
file(WRITE "${OUT}" "{\"wasmBytes\": ${wasm_bytes}}\n")

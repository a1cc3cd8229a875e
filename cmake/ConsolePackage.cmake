# Makes the console's folder ready to serve, after each link of the program or change of the
# page:
#   cmake -DDIR=console -DINDEX=shell/index.html -DGZIP=gzip -DBROTLI=brotli -P ConsolePackage.cmake
# 1. oat_console.wasm and oat_console.js are copied to oat_console.<hash>.wasm and .js, <hash>
#    the first 12 hex digits of the SHA-256 of both together, so that a server may let browsers
#    keep them for a year (a new build is a new name); copies of earlier builds are removed.
# 2. index.html is written from INDEX with those names and the program's size in the loader's
#    tag (@OAT_CONSOLE_WASM@, @OAT_CONSOLE_JS@, @OAT_CONSOLE_WASM_BYTES@), so that the loader
#    asks for everything at once; build.json says the same for other pages:
#      {"wasmBytes": N, "wasm": "oat_console.<hash>.wasm", "js": "oat_console.<hash>.js"}
# 3. The program and the page get precompressed siblings, .gz (gzip -9) and .br (brotli -q 11),
#    which oatd (and nginx's gzip_static / brotli_static) sends to browsers that accept them.
#    config.json gets none: it is the file an operator edits.
file(SHA256 "${DIR}/oat_console.wasm" wasm_sum)
file(SHA256 "${DIR}/oat_console.js" js_sum)
string(SHA256 sum "${wasm_sum}${js_sum}")
string(SUBSTRING "${sum}" 0 12 hash)
set(OAT_CONSOLE_WASM "oat_console.${hash}.wasm")
set(OAT_CONSOLE_JS "oat_console.${hash}.js")

file(GLOB stale "${DIR}/oat_console.*.wasm*" "${DIR}/oat_console.*.js*"
                "${DIR}/oat_console.wasm.*" "${DIR}/oat_console.js.*")
foreach(f IN LISTS stale)
  get_filename_component(name "${f}" NAME)
  if(NOT name MATCHES "^oat_console\\.${hash}\\.")
    file(REMOVE "${f}")
  endif()
endforeach()
file(COPY_FILE "${DIR}/oat_console.wasm" "${DIR}/${OAT_CONSOLE_WASM}" ONLY_IF_DIFFERENT)
file(COPY_FILE "${DIR}/oat_console.js" "${DIR}/${OAT_CONSOLE_JS}" ONLY_IF_DIFFERENT)

file(SIZE "${DIR}/oat_console.wasm" OAT_CONSOLE_WASM_BYTES)
configure_file("${INDEX}" "${DIR}/index.html" @ONLY)
file(WRITE "${DIR}/build.json.new"
  "{\"wasmBytes\": ${OAT_CONSOLE_WASM_BYTES}, \"wasm\": \"${OAT_CONSOLE_WASM}\", \"js\": \"${OAT_CONSOLE_JS}\"}\n")
file(COPY_FILE "${DIR}/build.json.new" "${DIR}/build.json" ONLY_IF_DIFFERENT)
file(REMOVE "${DIR}/build.json.new")

foreach(name IN ITEMS ${OAT_CONSOLE_WASM} ${OAT_CONSOLE_JS} index.html loader.js style.css favicon.svg)
  set(f "${DIR}/${name}")
  if(NOT EXISTS "${f}")
    continue()
  endif()
  if(NOT EXISTS "${f}.gz" OR "${f}" IS_NEWER_THAN "${f}.gz")
    execute_process(COMMAND "${GZIP}" -9 -k -n -f "${f}" COMMAND_ERROR_IS_FATAL ANY)
  endif()
  if(NOT EXISTS "${f}.br" OR "${f}" IS_NEWER_THAN "${f}.br")
    execute_process(COMMAND "${BROTLI}" -q 11 -k -f "${f}" COMMAND_ERROR_IS_FATAL ANY)
  endif()
endforeach()

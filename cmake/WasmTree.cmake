# Included by the native tree: builds the same sources with em++ into a sibling tree
# (build/native -> build/wasm) on every build, and registers the wasm tests with ctest.

option(OAT_WASM "Also build and test the WebAssembly tree (em++)" ON)
if(NOT OAT_WASM)
  return()
endif()

find_program(OAT_EMXX em++)
find_program(OAT_NODE node)
if(NOT OAT_EMXX OR NOT OAT_NODE)
  message(FATAL_ERROR "em++ or node not found: run scripts/setup (or configure with -DOAT_WASM=OFF)")
endif()

get_filename_component(_build_name "${CMAKE_BINARY_DIR}" NAME)
get_filename_component(_build_parent "${CMAKE_BINARY_DIR}" DIRECTORY)
if(_build_name STREQUAL "native")
  set(_wasm_default "${_build_parent}/wasm")
else()
  set(_wasm_default "${CMAKE_BINARY_DIR}/wasm")
endif()
set(OAT_WASM_BINARY_DIR "${_wasm_default}" CACHE PATH "Build tree for the em++ build")

include(ExternalProject)
ExternalProject_Add(oat_wasm
  SOURCE_DIR "${CMAKE_SOURCE_DIR}"
  BINARY_DIR "${OAT_WASM_BINARY_DIR}"
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/EmscriptenToolchain.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DOAT_WERROR=${OAT_WERROR}
    -DOAT_IMGUI_DIR=${OAT_IMGUI_DIR}
  BUILD_ALWAYS ON          # the wasm tree's own build tool decides what is stale
  USES_TERMINAL_CONFIGURE ON
  USES_TERMINAL_BUILD ON   # stream em++ output instead of buffering it
  INSTALL_COMMAND "")

# Unit tests under node: one ctest entry (core/wasm), plus a check that both trees
# compiled the same set of tests.
if(TARGET oat_core_tests)
  set(_wasm_tests "${OAT_WASM_BINARY_DIR}/oat_core_tests.js")
  add_test(NAME core/wasm COMMAND "${OAT_NODE}" "${_wasm_tests}")
  add_test(NAME core/parity
    COMMAND "${CMAKE_COMMAND}"
      "-DNATIVE=$<TARGET_FILE:oat_core_tests>" "-DNODE=${OAT_NODE}" "-DWASM=${_wasm_tests}"
      -P "${CMAKE_CURRENT_LIST_DIR}/TestParity.cmake")
  set_tests_properties(core/wasm core/parity PROPERTIES LABELS wasm TIMEOUT 600)
endif()

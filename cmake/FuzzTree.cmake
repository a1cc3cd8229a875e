# Included by the native tree: builds the fuzz targets (tests/fuzz, clang-14 with libFuzzer, ASan
# and UBSan) into a sibling tree (build/native -> build/fuzz) on every build, and registers with
# ctest a replay of each target's corpus, label "fuzz": every input the corpus keeps (the seeds,
# and each crash found and fixed) runs once under the sanitizers.

option(OAT_FUZZ "Also build the fuzz targets and replay their corpora (clang-14)" ON)
if(NOT OAT_FUZZ)
  return()
endif()

find_program(OAT_CLANGXX clang++-14)
if(NOT OAT_CLANGXX)
  message(FATAL_ERROR "clang++-14 not found: run scripts/setup (or configure with -DOAT_FUZZ=OFF)")
endif()

get_filename_component(_build_name "${CMAKE_BINARY_DIR}" NAME)
get_filename_component(_build_parent "${CMAKE_BINARY_DIR}" DIRECTORY)
if(_build_name STREQUAL "native")
  set(_fuzz_default "${_build_parent}/fuzz")
else()
  set(_fuzz_default "${CMAKE_BINARY_DIR}/fuzz")
endif()
set(OAT_FUZZ_BINARY_DIR "${_fuzz_default}" CACHE PATH "Build tree for the fuzz targets")

include(ExternalProject)
ExternalProject_Add(oat_fuzz
  SOURCE_DIR "${CMAKE_SOURCE_DIR}/tests/fuzz"
  BINARY_DIR "${OAT_FUZZ_BINARY_DIR}"
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${OAT_CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo -G Ninja
  BUILD_ALWAYS ON
  USES_TERMINAL_BUILD ON
  INSTALL_COMMAND "")

file(GLOB _fuzz_targets CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/fuzz/*_fuzz.cpp")
foreach(_source IN LISTS _fuzz_targets)
  get_filename_component(_name "${_source}" NAME_WE)
  string(REGEX REPLACE "_fuzz$" "" _corpus "${_name}")
  # -runs=0: run each input of the corpus once, and no new ones.
  add_test(NAME fuzz/replay/${_corpus}
    COMMAND "${OAT_FUZZ_BINARY_DIR}/${_name}" -runs=0 "${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${_corpus}")
  set_tests_properties(fuzz/replay/${_corpus} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()

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
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${OAT_CLANGXX} -DCMAKE_BUILD_TYPE= -DOAT_VERSION=${PROJECT_VERSION} -G Ninja
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

# The sanitizer builds (build/fuzz's oatd, oatd_tests and oat_core_tests: ASan, UBSan, asserts
# on; oatd_tests_tsan: ThreadSanitizer), label "sanitize": the core's and the server's unit
# tests, and the API suite on SQLite against the sanitized oatd. A sanitizer's report fails the test: the unit tests abort on it, and
# the API suite's helpers (tests/lib/processes.mjs) fail on a report in any oatd's stderr, leaks
# included (LeakSanitizer reports when a server stops). Slower than the Release build (the
# sanitizers, -O1, asserts), hence the longer timeouts.
set(_sanitizer_environment
  "ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1"
  "UBSAN_OPTIONS=print_stacktrace=1")
add_test(NAME sanitize/core/unit COMMAND "${OAT_FUZZ_BINARY_DIR}/oat_core_tests")
add_test(NAME sanitize/native/unit
  COMMAND "${OAT_FUZZ_BINARY_DIR}/oatd_tests" "--gtest_filter=*-*/postgres:PostgresStore.*")
add_test(NAME sanitize/postgres/unit
  COMMAND "${OAT_FUZZ_BINARY_DIR}/oatd_tests" "--gtest_filter=*/postgres:PostgresStore.*")
# ThreadSanitizer: the same unit tests of oatd (threads in the store, the server, the key).
add_test(NAME sanitize/thread/unit
  COMMAND "${OAT_FUZZ_BINARY_DIR}/oatd_tests_tsan" "--gtest_filter=*-*/postgres:PostgresStore.*")
add_test(NAME sanitize/thread-postgres/unit
  COMMAND "${OAT_FUZZ_BINARY_DIR}/oatd_tests_tsan" "--gtest_filter=*/postgres:PostgresStore.*")
set_tests_properties(sanitize/thread/unit PROPERTIES
  LABELS sanitize TIMEOUT 900 ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1")
set_tests_properties(sanitize/thread-postgres/unit PROPERTIES
  LABELS "sanitize;postgres" TIMEOUT 900 ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1")
set_tests_properties(sanitize/core/unit sanitize/native/unit PROPERTIES
  LABELS sanitize TIMEOUT 900 ENVIRONMENT "${_sanitizer_environment}")
set_tests_properties(sanitize/postgres/unit PROPERTIES
  LABELS "sanitize;postgres" TIMEOUT 900 ENVIRONMENT "${_sanitizer_environment}")
if(COMMAND oat_add_node_tests)
  oat_add_node_tests(api sanitize DIRECTORY "${CMAKE_SOURCE_DIR}/tests/api" TEST_TIMEOUT 180000 TIMEOUT 900
    OATD "${OAT_FUZZ_BINARY_DIR}/oatd" LABELS sanitize
    ENVIRONMENT OAT_TEST_BACKEND=sqlite OAT_TEST_SANITIZED=1 ${_sanitizer_environment})
endif()

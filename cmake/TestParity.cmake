# cmake -DNATIVE=<exe> -DNODE=<node> -DWASM=<tests.js> -P TestParity.cmake
# Fails unless the native and the wasm unit-test programs list the same, non-zero number
# of tests (a file or test compiled out of one tree would otherwise go unnoticed).

function(count_tests out)
  execute_process(COMMAND ${ARGN} --gtest_list_tests
    OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} --gtest_list_tests failed (${rc})")
  endif()
  # Test names are the indented lines; suite names are not. Count only the line
  # starts: names themselves may hold ';', which would split a CMake list.
  string(REGEX MATCHALL "\n  " starts "\n${listing}")
  list(LENGTH starts n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()

count_tests(native "${NATIVE}")
count_tests(wasm "${NODE}" "${WASM}")
message("parity: native ${native} tests, wasm ${wasm} tests")
if(native EQUAL 0 OR NOT native EQUAL wasm)
  message(FATAL_ERROR "parity: native and wasm test counts differ or are zero")
endif()

# The Node test suites (tests/api, tests/registry, tests/browser): each <name>.test.mjs of a
# folder is one CTest entry, <label>/<platform>/<name>, run by Node 20's built-in test runner
# (one test at a time inside a file) against the oatd target, whose path it gets as $OATD.
# Included by each suite's CMakeLists.txt; shared code of the suites is in tests/lib/.
include_guard(GLOBAL)

find_program(OAT_NODE node)

# oat_require_node_tests(<label>): ends the calling CMakeLists.txt, with a warning naming the
# suite, when node or the oatd target is missing (a macro, so that its return() is the caller's).
macro(oat_require_node_tests label)
  if(NOT OAT_NODE OR NOT TARGET oatd)
    message(WARNING "tests/${label}: node or the oatd target missing; ${label} tests not added")
    return()
  endif()
endmacro()

# oat_add_node_tests(<label> <platform> DIRECTORY <dir> TEST_TIMEOUT <ms> TIMEOUT <s>
#                    [RESOURCE_LOCK <name>] [OATD <path>] [LABELS <label>...]
#                    [ENVIRONMENT <VAR=value>...])
# Registers every <dir>/*.test.mjs with the label <label>. TEST_TIMEOUT bounds one test (node's
# --test-timeout), TIMEOUT one file (ctest). RESOURCE_LOCK: the files of the suite run one at a
# time even under ctest -j (also beside another registration of the suite given the same name).
# LABELS: more labels (e.g. the database backend, so `ctest -L postgres` selects one run of a
# suite registered once per backend, <platform> telling the runs apart). ENVIRONMENT: more
# variables for the tests beside OATD. OATD: another oatd than the target's (a sanitizer build).
function(oat_add_node_tests label platform)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "DIRECTORY;TEST_TIMEOUT;TIMEOUT;RESOURCE_LOCK;OATD"
                        "LABELS;ENVIRONMENT")
  file(GLOB tests CONFIGURE_DEPENDS "${arg_DIRECTORY}/*.test.mjs")
  set(labels ${label} ${arg_LABELS})
  if(NOT arg_OATD)
    set(arg_OATD "$<TARGET_FILE:oatd>")
  endif()
  set(environment "OATD=${arg_OATD}" ${arg_ENVIRONMENT})
  foreach(file IN LISTS tests)
    get_filename_component(name "${file}" NAME)
    string(REGEX REPLACE "\\.test\\.mjs$" "" name "${name}")
    set(test ${label}/${platform}/${name})
    add_test(NAME ${test}
      COMMAND ${OAT_NODE} --test --test-concurrency=1 --test-reporter=spec
              --test-timeout=${arg_TEST_TIMEOUT} "${file}"
      WORKING_DIRECTORY "${arg_DIRECTORY}")
    set_tests_properties(${test} PROPERTIES
      LABELS "${labels}"
      TIMEOUT ${arg_TIMEOUT}
      ENVIRONMENT "${environment}")
    if(arg_RESOURCE_LOCK)
      set_tests_properties(${test} PROPERTIES RESOURCE_LOCK ${arg_RESOURCE_LOCK})
    endif()
  endforeach()
endfunction()

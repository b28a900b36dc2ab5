# Compares simulation_digest outputs; on a difference the first differing line is shown.
#   cmake -DFAST=<program> -DPLAIN=<program> -P compare_digests.cmake
#     both programs must print the same output;
#   cmake -DFAST=<program> -DGOLDEN=<file> -P compare_digests.cmake
#     the program's output without its digest of the floating-point figures must be the file's.

function(run program out_var)
  execute_process(COMMAND "${program}" OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${program} failed (${rc}): ${err}")
  endif()
  if(out STREQUAL "")
    message(FATAL_ERROR "${program} printed nothing")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# Fails naming the first line where `expected` and `actual` differ (labelled as given).
function(require_same expected actual expected_label actual_label hint)
  if(expected STREQUAL actual)
    return()
  endif()
  string(REPLACE "\n" ";" expected_lines "${expected}")
  string(REPLACE "\n" ";" actual_lines "${actual}")
  list(LENGTH expected_lines n_expected)
  list(LENGTH actual_lines n_actual)
  set(n ${n_expected})
  if(n_actual LESS n)
    set(n ${n_actual})
  endif()
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    list(GET expected_lines ${i} a)
    list(GET actual_lines ${i} b)
    if(NOT a STREQUAL b)
      # Indented lines are printed as they are (CMake wraps the others).
      message(FATAL_ERROR "First difference:\n  ${expected_label}: ${a}\n  ${actual_label}: ${b}\n${hint}")
    endif()
  endforeach()
  message(FATAL_ERROR "${n_expected} lines ${expected_label}, ${n_actual} ${actual_label}\n${hint}")
endfunction()

run("${FAST}" fast)
string(REGEX MATCHALL "\n" lines "${fast}")
list(LENGTH lines n)
if(DEFINED PLAIN)
  run("${PLAIN}" plain)
  require_same("${plain}" "${fast}" "without fast paths" "with fast paths   " "")
  message(STATUS "${n} simulations identical with and without the fast paths")
else()
  file(READ "${GOLDEN}" golden)
  string(REGEX REPLACE " figures [0-9a-f]+" "" fast "${fast}")
  require_same("${golden}" "${fast}" "recorded" "now     "
               "The simulator's behaviour changed. If that is intended, regenerate ${GOLDEN} (see simulation_digest.cpp).")
  message(STATUS "${n} simulations as recorded in ${GOLDEN}")
endif()

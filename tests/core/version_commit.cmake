# The commit a build records: "-dirty" when the build is not the commit, i.e. a tracked file
# changed, or a new file sits in a folder the build picks files up from (a new env or agent
# is one file there); another untracked file (notes, a .venv link) leaves it clean.
# cmake -DPROJECT_SOURCE_DIR=.. -DWORK_DIR=.. -P version_commit.cmake
find_package(Git REQUIRED)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/cmake" "${WORK_DIR}/agents")
file(COPY "${PROJECT_SOURCE_DIR}/cmake/version.h.in" DESTINATION "${WORK_DIR}/cmake")
file(WRITE "${WORK_DIR}/agents/ga.cpp" "// an agent\n")

function(git)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -c user.name=t -c user.email=t@t ${ARGN}
                  WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "git ${ARGN} failed")
  endif()
endfunction()
git(init -q)
git(add -A)
git(commit -q -m base)

function(expect_commit suffix why)
  execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${WORK_DIR} -DOUTPUT=${WORK_DIR}/version.h -DVERSION=1
                          -P "${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake" RESULT_VARIABLE rc)
  file(READ "${WORK_DIR}/version.h" header)
  file(REMOVE "${WORK_DIR}/version.h")
  if(NOT rc EQUAL 0 OR NOT header MATCHES "kGitCommit = \"[0-9a-f]+${suffix}\"")
    message(FATAL_ERROR "${why}: expected a commit ending '${suffix}', got: ${header}")
  endif()
endfunction()

expect_commit("" "a clean checkout")
file(WRITE "${WORK_DIR}/notes.txt" "notes\n")
expect_commit("" "an untracked file outside the source folders")
file(WRITE "${WORK_DIR}/agents/coord_descent.cpp" "// a new agent\n")
expect_commit("-dirty" "a new file in agents/")
file(REMOVE "${WORK_DIR}/agents/coord_descent.cpp")
file(APPEND "${WORK_DIR}/agents/ga.cpp" "// changed\n")
expect_commit("-dirty" "a changed tracked file")

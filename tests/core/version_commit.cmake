# The commit a build records: "-dirty-DIGEST" when the build is not the commit, i.e. a tracked file
# changed, or a new file sits in a folder the build picks files up from (a new env or agent
# is one file there); another untracked file (notes, a .venv link) leaves it clean.
# cmake -DPROJECT_SOURCE_DIR=.. -DWORK_DIR=.. -P version_commit.cmake
find_package(Git REQUIRED)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/cmake" "${WORK_DIR}/agents")
file(COPY "${PROJECT_SOURCE_DIR}/cmake/version.h.in" DESTINATION "${WORK_DIR}/cmake")
file(WRITE "${WORK_DIR}/agents/ga.cpp" "// an agent\n")
file(WRITE "${WORK_DIR}/CMakeLists.txt" "add_compile_options(-O2)\n")
file(WRITE "${WORK_DIR}/README.md" "# docs\n")

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

# Sets `commit` in the caller to the commit the build records.
function(expect_commit suffix why)
  execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${WORK_DIR} -DOUTPUT=${WORK_DIR}/version.h -DVERSION=1
                          "-DBUILD_CONFIG=GNU 12.2.0, Release build, flags: -O3 -DNDEBUG"
                          -P "${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake" RESULT_VARIABLE rc)
  file(READ "${WORK_DIR}/version.h" header)
  file(REMOVE "${WORK_DIR}/version.h")
  if(NOT rc EQUAL 0 OR NOT header MATCHES "kGitCommit = \"([0-9a-f]+${suffix})\"")
    message(FATAL_ERROR "${why}: expected a commit ending '${suffix}', got: ${header}")
  endif()
  set(commit "${CMAKE_MATCH_1}" PARENT_SCOPE)  # before the next match resets it
  if(NOT header MATCHES "kBuildConfig = \"GNU 12.2.0, Release build, flags: -O3 -DNDEBUG\"")
    message(FATAL_ERROR "the build configuration is not in the header: ${header}")
  endif()
endfunction()

expect_commit("" "a clean checkout")
file(WRITE "${WORK_DIR}/notes.txt" "notes\n")
expect_commit("" "an untracked file outside the source folders")
file(WRITE "${WORK_DIR}/agents/coord_descent.cpp" "// a new agent\n")
expect_commit("-dirty-[0-9a-f]+" "a new file in agents/")
set(new_agent "${commit}")
file(WRITE "${WORK_DIR}/agents/coord_descent.cpp" "// a new agent, edited\n")
expect_commit("-dirty-[0-9a-f]+" "the new file edited")
if(commit STREQUAL new_agent)
  message(FATAL_ERROR "editing a new, untracked agent left the commit at ${commit}")
endif()
file(REMOVE "${WORK_DIR}/agents/coord_descent.cpp")
file(APPEND "${WORK_DIR}/agents/ga.cpp" "// changed\n")
expect_commit("-dirty-[0-9a-f]+" "a changed tracked file")
set(first_edit "${commit}")
expect_commit("-dirty-[0-9a-f]+" "the same tree again")
if(NOT commit STREQUAL first_edit)
  message(FATAL_ERROR "the same dirty tree gave two commits: ${first_edit}, ${commit}")
endif()
# An env edited between a run and its resume: both builds are dirty, and they differ.
file(APPEND "${WORK_DIR}/agents/ga.cpp" "// changed again\n")
expect_commit("-dirty-[0-9a-f]+" "a second edit")
if(commit STREQUAL first_edit)
  message(FATAL_ERROR "two different edits of a tracked file gave the same commit ${commit}")
endif()
set(second_edit "${commit}")
# Outside the source folders (notes, docs) an edit changes nothing the build runs.
file(APPEND "${WORK_DIR}/notes.txt" "more notes\n")
expect_commit("-dirty-[0-9a-f]+" "an untracked file outside the folders edited")
if(NOT commit STREQUAL second_edit)
  message(FATAL_ERROR "an edit outside the source folders changed the commit: ${second_edit}, ${commit}")
endif()
# Tracked files outside what the build reads (docs) leave the build the commit; the
# top-level CMakeLists.txt, which sets compile flags, does not.
git(checkout -q -- agents/ga.cpp)
file(APPEND "${WORK_DIR}/README.md" "edited\n")
expect_commit("" "a docs edit")
file(APPEND "${WORK_DIR}/CMakeLists.txt" "add_compile_options(-ffast-math)\n")
expect_commit("-dirty-[0-9a-f]+" "an edit of the top-level CMakeLists.txt")

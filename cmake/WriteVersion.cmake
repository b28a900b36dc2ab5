# Writes the version header (script mode: cmake -DSOURCE_DIR=.. -DOUTPUT=.. -DVERSION=.. -DBUILD_CONFIG=..
# -P WriteVersion.cmake).
# Run at every build so a run logs the commit it was built from, not the one CMake last configured at;
# configure_file rewrites the header only when its text changes, so nothing recompiles needlessly.
set(ARCHGYM_GIT_COMMIT "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _rc ERROR_QUIET)
  if(_rc EQUAL 0)
    set(ARCHGYM_GIT_COMMIT "${_commit}")
    # What the build reads: the source folders and the top-level build files (the compile
    # flags are in CMakeLists.txt). Edits elsewhere (docs, tests) leave the tree clean.
    set(_sources agents cmake core envs experiments proxies python simulators CMakeLists.txt pyproject.toml)
    execute_process(COMMAND "${GIT_EXECUTABLE}" diff --quiet HEAD -- ${_sources}
                    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE _dirty ERROR_QUIET)
    # New files count too where the build picks them up by themselves (a new env or agent is
    # one file in its folder): such a build is not the commit. Other untracked files (a
    # .venv link, notes) leave the tree clean.
    execute_process(COMMAND "${GIT_EXECUTABLE}" ls-files --others --exclude-standard -- ${_sources}
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE _untracked ERROR_QUIET)
    if(NOT _dirty EQUAL 0 OR NOT _untracked STREQUAL "")
      # Which changes: a digest of the sources' diff against the commit and of the new files
      # in them, so that a run resumed after an edit to an env (a dirty tree both times) is
      # told apart from the build that started it.
      execute_process(COMMAND "${GIT_EXECUTABLE}" diff --binary HEAD -- ${_sources}
                      WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE _changes ERROR_QUIET)
      string(REPLACE "\n" ";" _new_files "${_untracked}")
      foreach(_file IN LISTS _new_files)
        if(NOT _file STREQUAL "" AND EXISTS "${SOURCE_DIR}/${_file}" AND NOT IS_DIRECTORY "${SOURCE_DIR}/${_file}")
          file(SHA256 "${SOURCE_DIR}/${_file}" _file_digest)
          string(APPEND _changes "\nnew ${_file} ${_file_digest}")
        endif()
      endforeach()
      string(SHA256 _digest "${_changes}")
      string(SUBSTRING "${_digest}" 0 12 _digest)
      set(ARCHGYM_GIT_COMMIT "${ARCHGYM_GIT_COMMIT}-dirty-${_digest}")
    endif()
  endif()
endif()
set(PROJECT_VERSION "${VERSION}")
configure_file("${SOURCE_DIR}/cmake/version.h.in" "${OUTPUT}" @ONLY)

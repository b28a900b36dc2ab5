# The version and git commit go into a generated header so every run can log them.
# Written once at configure time (so the header exists) and refreshed at every build.
set(ARCHGYM_VERSION_HEADER "${PROJECT_BINARY_DIR}/generated/archgym_version.h")
set(_write_version
    "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${ARCHGYM_VERSION_HEADER}
    -DVERSION=${PROJECT_VERSION} -P "${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake")
execute_process(COMMAND ${_write_version})
add_custom_target(archgym_version_header ALL COMMAND ${_write_version}
                  BYPRODUCTS "${ARCHGYM_VERSION_HEADER}"
                  COMMENT "Recording the git commit in archgym_version.h" VERBATIM)

# The version and git commit go into a generated header so every run can log them.
# Written once at configure time (so the header exists) and refreshed at every build.
set(ARCHGYM_VERSION_HEADER "${PROJECT_BINARY_DIR}/generated/archgym_version.h")
# How the build compiles, beside the commit: two builds of one commit with other flags
# (-march=native contracts floating-point operations) may differ in the last digits.
string(TOUPPER "${CMAKE_BUILD_TYPE}" _build_type_upper)
string(STRIP "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_build_type_upper}}" _build_flags)
set(_build_config "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}, ${CMAKE_BUILD_TYPE} build, flags: ${_build_flags}")
set(_write_version
    "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${ARCHGYM_VERSION_HEADER}
    -DVERSION=${PROJECT_VERSION} "-DBUILD_CONFIG=${_build_config}"
    -P "${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake")
execute_process(COMMAND ${_write_version})
add_custom_target(archgym_version_header ALL COMMAND ${_write_version}
                  BYPRODUCTS "${ARCHGYM_VERSION_HEADER}"
                  COMMENT "Recording the git commit in archgym_version.h" VERBATIM)

# The one version of cabind is the CMake project version. Executables that print it get
# it, together with the git revision they were built from, through a generated header
# (<build>/generated/cabind_build_info.hpp) that is rewritten at every build, but only
# when its text changes, so a new commit recompiles just the files that include it.
#
# CABIND_GIT_REVISION overrides the revision where the source is not a git checkout
# (a release tarball, a packaging system that records it elsewhere).
set(CABIND_GIT_REVISION "" CACHE STRING
    "Revision printed by --version when the source is not a git checkout (empty: ask git)")

set(CABIND_BUILD_INFO_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(cabind_build_info
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${CABIND_BUILD_INFO_DIR}/cabind_build_info.hpp
          -DVERSION=${PROJECT_VERSION}
          -DREVISION_OVERRIDE=${CABIND_GIT_REVISION}
          -P ${PROJECT_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${CABIND_BUILD_INFO_DIR}/cabind_build_info.hpp
  COMMENT "cabind build info (version ${PROJECT_VERSION}, git revision)"
  VERBATIM)

# cabind_use_build_info(target): target's sources may include <cabind_build_info.hpp>.
function(cabind_use_build_info target)
  add_dependencies(${target} cabind_build_info)
  target_include_directories(${target} PRIVATE ${CABIND_BUILD_INFO_DIR})
endfunction()

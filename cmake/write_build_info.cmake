# Writes cabind_build_info.hpp (see CabindVersion.cmake); run with cmake -P.
# In: SOURCE_DIR, OUTPUT, VERSION, REVISION_OVERRIDE (may be empty).
set(revision "${REVISION_OVERRIDE}")
if(revision STREQUAL "")
  find_program(GIT git)
  if(GIT)
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                    OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(failed)
      set(revision "")
    else()
      # Uncommitted changes to tracked files make the binary differ from the revision.
      execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} status --porcelain --untracked-files=no
                      OUTPUT_VARIABLE changes ERROR_QUIET)
      if(NOT changes STREQUAL "")
        string(APPEND revision "-dirty")
      endif()
    endif()
  endif()
endif()
if(revision STREQUAL "")
  set(revision "unknown")
endif()

set(text "// Generated at build time by cmake/write_build_info.cmake; not in the source tree.
#pragma once

namespace cabind::build_info {

// The CMake project version (the package version) and the git revision built from.
inline constexpr const char* version = \"${VERSION}\";
inline constexpr const char* revision = \"${revision}\";

}  // namespace cabind::build_info
")
set(old "")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUTPUT} "${text}")
endif()

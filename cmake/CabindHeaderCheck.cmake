# cabind_header_check(NAME HEADER_DIR dir DEPENDS target...)
# Every public header must compile on its own: one generated .cpp per header under
# HEADER_DIR that includes only that header, compiled with the project's warning flags
# into an object library built by default, so a header that leans on what its includer
# happened to include first fails the build (and CI).
function(cabind_header_check name)
  cmake_parse_arguments(arg "" "HEADER_DIR" "DEPENDS" ${ARGN})
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE ${arg_HEADER_DIR} ${arg_HEADER_DIR}/*.hpp)
  set(sources)
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER ${header} stem)
    set(source ${CMAKE_BINARY_DIR}/header_check/${stem}.cpp)
    # Written only when its content changes, so a reconfigure rebuilds nothing.
    file(CONFIGURE OUTPUT ${source} CONTENT "#include \"${header}\"  // and nothing before it\n")
    list(APPEND sources ${source})
  endforeach()
  add_library(${name} OBJECT ${sources})
  target_include_directories(${name} PRIVATE ${arg_HEADER_DIR})
  target_link_libraries(${name} PRIVATE ${arg_DEPENDS})
  cabind_target_settings(${name})
endfunction()

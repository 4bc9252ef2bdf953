# Per-target build settings: warnings as errors and the optional sanitizers.
# Every cabind target (libraries, executables, tests, benchmarks) goes through
# cabind_target_settings so the rules hold everywhere and nowhere else.

function(cabind_target_settings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wconversion -Wsign-conversion -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough -Werror
    # Designated initialisers of structs with default member initialisers are the
    # intended style; GCC 12 flags every member left out of them.
    -Wno-missing-field-initializers
    # GCC 12 at -O3 reports a false -Wrestrict inside std::string's operator+ (GCC bug
    # 105329); with -Werror it would fail every Release build.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(CABIND_SANITIZE)
    string(REPLACE ";" "," sanitizers "${CABIND_SANITIZE}")
    target_compile_options(${target} PRIVATE -fsanitize=${sanitizers} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${sanitizers})
  endif()
endfunction()

# cabind_module(NAME SOURCES file... DEPENDS target...)
# Declares library cabind_NAME (alias cabind::NAME) from src/NAME with its public
# headers under include/cabind/NAME.
function(cabind_module name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(cabind_${name} STATIC ${arg_SOURCES})
  add_library(cabind::${name} ALIAS cabind_${name})
  target_include_directories(cabind_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(cabind_${name} PUBLIC ${arg_DEPENDS} PRIVATE ${arg_PRIVATE_DEPENDS})
  cabind_target_settings(cabind_${name})
endfunction()

# The real DBC files some tests read live beside the checkout (../shared/data), not in
# it: a bare clone has none, CI and the team's machines do.
set(CABIND_SHARED_DATA_DIR "${PROJECT_SOURCE_DIR}/../shared/data" CACHE PATH
    "Real vehicle data (DBC files) for the SHARED_DATA tests")

# cabind_test(NAME [SHARED_DATA] SOURCES file... DEPENDS target... [LABEL label])
# A GoogleTest executable whose tests ctest discovers one by one, labelled `unit`
# unless another label is given (gtest_discover_tests cannot pass a list of labels).
# SHARED_DATA: the tests read CABIND_SHARED_DATA_DIR; the executable is defined and
# registered only where that directory exists (then they run, and must pass), so a bare
# clone's test run has nothing that fails for want of data it was never given.
function(cabind_test name)
  cmake_parse_arguments(arg "SHARED_DATA" "LABEL" "SOURCES;DEPENDS" ${ARGN})
  if(arg_SHARED_DATA AND NOT EXISTS "${CABIND_SHARED_DATA_DIR}/dbc")
    message(STATUS "${name}: not registered, no ${CABIND_SHARED_DATA_DIR}/dbc")
    return()
  endif()
  if(NOT arg_LABEL)
    set(arg_LABEL unit)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_DEPENDS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE CABIND_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(arg_SHARED_DATA)
    target_compile_definitions(${name} PRIVATE CABIND_SHARED_DATA_DIR="${CABIND_SHARED_DATA_DIR}")
  endif()
  cabind_target_settings(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${arg_LABEL})
endfunction()

# cabind_vcan_test(NAME COMMAND cmd... ) : a ctest test that runs cmd inside the
# vcan bench (tools/vcan-vm), labelled vcan.
function(cabind_vcan_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "COMMAND" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND ${PROJECT_SOURCE_DIR}/tools/vcan-vm ${arg_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS vcan TIMEOUT ${arg_TIMEOUT})
endfunction()

# Finds MySQL Connector/C++ 1.1 (the JDBC-like legacy API, Debian's
# libmysqlcppconn-dev), which ships neither a CMake package nor a pkg-config
# file. Its headers include Boost, so the imported target carries Boost's
# headers too.
#
# Defines MySQLConnectorCpp_FOUND, MySQLConnectorCpp_VERSION and the imported
# target MySQLConnectorCpp::MySQLConnectorCpp. Hints: MySQLConnectorCpp_ROOT.

find_path(MySQLConnectorCpp_INCLUDE_DIR
  NAMES cppconn/driver.h
  PATH_SUFFIXES include)
find_library(MySQLConnectorCpp_LIBRARY
  NAMES mysqlcppconn
  PATH_SUFFIXES lib lib64)

if(MySQLConnectorCpp_INCLUDE_DIR AND EXISTS "${MySQLConnectorCpp_INCLUDE_DIR}/cppconn/version_info.h")
  file(STRINGS "${MySQLConnectorCpp_INCLUDE_DIR}/cppconn/version_info.h" _mysqlcppconn_version_lines
       REGEX "#define MYCPPCONN_DM_(MAJOR|MINOR|PATCH)_VERSION +[0-9]+")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*#define MYCPPCONN_DM_${_part}_VERSION +([0-9]+).*" "\\1"
           _mysqlcppconn_${_part} "${_mysqlcppconn_version_lines}")
  endforeach()
  set(MySQLConnectorCpp_VERSION
      "${_mysqlcppconn_MAJOR}.${_mysqlcppconn_MINOR}.${_mysqlcppconn_PATCH}")
  unset(_mysqlcppconn_version_lines)
endif()

# Header-only Boost; quiet so that the standard message below names what is
# missing.
find_package(Boost QUIET)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MySQLConnectorCpp
  REQUIRED_VARS MySQLConnectorCpp_LIBRARY MySQLConnectorCpp_INCLUDE_DIR Boost_FOUND
  VERSION_VAR MySQLConnectorCpp_VERSION)

if(MySQLConnectorCpp_FOUND AND NOT TARGET MySQLConnectorCpp::MySQLConnectorCpp)
  add_library(MySQLConnectorCpp::MySQLConnectorCpp UNKNOWN IMPORTED)
  set_target_properties(MySQLConnectorCpp::MySQLConnectorCpp PROPERTIES
    IMPORTED_LOCATION "${MySQLConnectorCpp_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MySQLConnectorCpp_INCLUDE_DIR}")
  if(TARGET Boost::headers)
    target_link_libraries(MySQLConnectorCpp::MySQLConnectorCpp INTERFACE Boost::headers)
  else()
    target_include_directories(MySQLConnectorCpp::MySQLConnectorCpp SYSTEM INTERFACE ${Boost_INCLUDE_DIRS})
  endif()
endif()

mark_as_advanced(MySQLConnectorCpp_INCLUDE_DIR MySQLConnectorCpp_LIBRARY)

# Installation in Debian's layout, the man pages, and a .deb built with CPack.
# With the release preset (prefix /usr):
#   /usr/sbin/sellertrustd
#   /etc/sellertrust/sellertrustd.properties   (a conffile in the package)
#   /lib/systemd/system/sellertrustd.service
#   /usr/share/man/man8/sellertrustd.8.gz, man5/sellertrustd.properties.5.gz
#   /usr/share/doc/sellertrust/                README, CHANGELOG, docs/
#   /usr/share/sellertrust/                    alert rules, dashboard, SQL
# GNUInstallDirs maps sysconfdir to /etc when the prefix is /usr, so the
# configuration lands where systemd/sellertrustd.service looks for it.
# Build the package with `cpack --config build/release/CPackConfig.cmake`;
# tests/deploy/check_package.sh checks it.

find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(GZIP gzip REQUIRED)

set(SELLERTRUST_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/sellertrust")
set(SELLERTRUST_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where the systemd unit is installed")

# --- Man pages, generated from the daemon's options and the annotated
# configuration (scripts/manpages.py).
set(man_dir ${PROJECT_BINARY_DIR}/man)
set(man_pages sellertrustd.8 sellertrustd.properties.5)
set(man_outputs "")
foreach(page IN LISTS man_pages)
  list(APPEND man_outputs ${man_dir}/${page}.gz)
endforeach()
add_custom_command(
  OUTPUT ${man_outputs}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/manpages.py
          $<TARGET_FILE:sellertrustd> ${PROJECT_SOURCE_DIR}/etc/sellertrustd.properties
          ${PROJECT_SOURCE_DIR}/docs/man ${man_dir}
  COMMAND ${GZIP} -9nf ${man_dir}/sellertrustd.8 ${man_dir}/sellertrustd.properties.5
  DEPENDS sellertrustd ${PROJECT_SOURCE_DIR}/scripts/manpages.py
          ${PROJECT_SOURCE_DIR}/etc/sellertrustd.properties
          ${PROJECT_SOURCE_DIR}/docs/man/sellertrustd.8.in
          ${PROJECT_SOURCE_DIR}/docs/man/sellertrustd.properties.5.in
  COMMENT "Generating the man pages")
add_custom_target(sellertrust_manpages ALL DEPENDS ${man_outputs})

# --- Installation.
install(TARGETS sellertrustd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
# The configuration: an installation over an existing one keeps the
# operator's file and puts the shipped one beside it as .dist (the package
# declares it a conffile, so dpkg asks instead).
install(CODE "
  # file(INSTALL) adds DESTDIR itself; the check for an existing file must.
  set(dir \"${SELLERTRUST_CONFIG_DIR}\")
  set(shipped \"${PROJECT_SOURCE_DIR}/etc/sellertrustd.properties\")
  if(EXISTS \"\$ENV{DESTDIR}\${dir}/sellertrustd.properties\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}\${dir}/sellertrustd.properties (the shipped one is sellertrustd.properties.dist)\")
    file(INSTALL \"\${shipped}\" DESTINATION \"\${dir}\" RENAME sellertrustd.properties.dist)
  else()
    file(INSTALL \"\${shipped}\" DESTINATION \"\${dir}\")
  endif()")
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sellertrustd.service
        DESTINATION ${SELLERTRUST_UNIT_DIR})
install(FILES ${man_dir}/sellertrustd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${man_dir}/sellertrustd.properties.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${PROJECT_SOURCE_DIR}/etc/prometheus/sellertrust-rules.yml
              ${PROJECT_SOURCE_DIR}/etc/grafana/sellertrust-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sellertrust)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/etc/sql DESTINATION ${CMAKE_INSTALL_DATADIR}/sellertrust)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        PATTERN man EXCLUDE)

# --- The Debian package.
set(SELLERTRUST_PACKAGE_MAINTAINER "sellertrust developers <sellertrust@example.invalid>"
    CACHE STRING "The Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sellertrust)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SELLERTRUST_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "seller-trust engine for marketplaces")
set(CPACK_PACKAGE_DESCRIPTION
    "sellertrustd reads a marketplace's orders and after-sales data from MySQL/MariaDB or SQLite, computes for every seller a trust score, a badge, defect ratios and warnings, and serves them over a read-only HTTP API and Prometheus metrics. It runs as a hardened systemd service.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from the binary (dpkg-shlibdeps), plus systemd for
# the unit's Type=notify and credentials.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mariadb-server, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/cmake/deb/conffiles ${PROJECT_SOURCE_DIR}/cmake/deb/postinst
    ${PROJECT_SOURCE_DIR}/cmake/deb/prerm ${PROJECT_SOURCE_DIR}/cmake/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)

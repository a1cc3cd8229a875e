# The Debian package of oatd, made by CPack's DEB generator. Included by the native tree's
# top-level CMakeLists.txt, after cmake/WasmTree.cmake (which defines OAT_WASM_BINARY_DIR).
#
#   cmake --build build/native --target package      ->  build/native/oat_<version>_<arch>.deb
#   cpack --config build/native/CPackConfig.cmake -B DIR   (the same, into DIR, without building)
#
# Package oat:
#   /usr/bin/oatd                          the server (target oatd, native/)
#   /usr/share/oat/console/                the console (the wasm tree's web/console, without the
#                                          unhashed oat_console.js/.wasm that index.html never names)
#   /lib/systemd/system/oatd.service       packaging/oatd.service: user oat, /var/lib/oat, hardened
#   /etc/oat/oatd.toml                     packaging/oatd.toml, a conffile
#   postinst, prerm, postrm                packaging/debian/: the system user oat, enabling and
#                                          starting the service; /var/lib/oat is never deleted
# Depends: from dpkg-shlibdeps on oatd (dpkg-dev), plus adduser (postinst).
# tests/package installs it into a throwaway root (label package).

if(NOT TARGET oatd)
  message(WARNING "cmake/Package.cmake: no target oatd (native/ missing); no package")
  return()
endif()

include(GNUInstallDirs)

set(OAT_PACKAGE_MAINTAINER "OAT maintainers <maintainers@oat.invalid>" CACHE STRING
    "Maintainer field of the Debian package (NAME <EMAIL>)")

set(_oat_packaging "${CMAKE_SOURCE_DIR}/packaging")

# ---------------------------------------------------------------------------
# What the package holds. Relative destinations are under /usr in the package
# (CPACK_PACKAGING_INSTALL_PREFIX); the unit and the conffile have absolute ones.
# ---------------------------------------------------------------------------
install(TARGETS oatd RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

install(FILES "${_oat_packaging}/oatd.service" DESTINATION /lib/systemd/system)
install(FILES "${_oat_packaging}/oatd.toml" DESTINATION /etc/oat)

if(DEFINED OAT_WASM_BINARY_DIR)
  # The console as ConsolePackage.cmake leaves it: index.html names oat_console.<hash>.js and
  # .wasm; the plain oat_console.js and .wasm the linker wrote are left out. Files get mode 0644
  # (the linker makes the .wasm executable), folders 0755.
  set(_oat_console "${OAT_WASM_BINARY_DIR}/web/console")
  install(CODE "
    if(NOT EXISTS \"${_oat_console}/index.html\")
      message(FATAL_ERROR \"The console is not built (${_oat_console}/index.html is missing): \"
                          \"build the target oat_wasm first (it needs scripts/setup)\")
    endif()")
  install(DIRECTORY "${_oat_console}/"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/oat/console"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    REGEX "/oat_console\\.(js|wasm)(\\.gz|\\.br)?$" EXCLUDE
    REGEX "/build\\.json\\.new$" EXCLUDE)
else()
  message(WARNING "cmake/Package.cmake: the wasm tree is off (OAT_WASM); the package has no console")
endif()

# ---------------------------------------------------------------------------
# The control files: maintainer scripts and conffiles.
# ---------------------------------------------------------------------------
set(_oat_conffiles "${CMAKE_BINARY_DIR}/packaging/conffiles")
file(CONFIGURE OUTPUT "${_oat_conffiles}" CONTENT "/etc/oat/oatd.toml\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME oat)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${OAT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "organization access tokens for container registries")
set(CPACK_PACKAGE_DESCRIPTION
"oatd serves organization access tokens in the way of Docker Hub: an organization's owner
generates tokens for automation, each reaching only the repositories and scopes chosen for
it. oatd is the token service of a standard container registry (docker login with a token
gets exactly its scopes), serves a Docker-Hub-compatible management API on SQLite or
PostgreSQL, and hosts a WebAssembly console.

The package runs oatd as the system user oat through oatd.service, configured in
/etc/oat/oatd.toml, with its data in /var/lib/oat (kept when the package is purged).")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)     # oat_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${OAT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)      # dpkg-shlibdeps on /usr/bin/oatd
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)   # postinst's addgroup/adduser; merged with the above
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${_oat_packaging}/debian/postinst"
  "${_oat_packaging}/debian/prerm"
  "${_oat_packaging}/debian/postrm"
  "${_oat_conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)   # scripts 0755, conffiles 0644

include(CPack)

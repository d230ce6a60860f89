# Installation layout and CPack DEB + RPM packages (issue 7). Included last by the top-level CMakeLists.txt.
#
#   cpack --config build/CPackConfig.cmake -G DEB   # or RPM; both: plain `cpack` in the build directory
#
# Paths are absolute and FHS-style whatever CMAKE_INSTALL_PREFIX says for the binaries, because the packages
# must put the configuration in /etc and the unit where systemd looks for it.
include(GNUInstallDirs)

foreach(program ves-agent ves-collector-sim)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

# Annotated configuration and the unit's environment file: conffiles / %config(noreplace), kept on upgrade.
install(FILES ${PROJECT_SOURCE_DIR}/config/ves-agent.yml DESTINATION /etc/ves-agent)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/default/ves-agent DESTINATION /etc/default)
# /usr/lib/systemd/system: where systemd looks on Debian 12 (merged /usr) and on RPM distributions alike.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/ves-agent.service DESTINATION /usr/lib/systemd/system)

configure_file(${PROJECT_SOURCE_DIR}/packaging/man/ves-agent.1 ${PROJECT_BINARY_DIR}/packaging/ves-agent.1 @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/ves-agent.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
              ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/docs/operations.md
              ${PROJECT_SOURCE_DIR}/docs/mapping.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# ---- CPack ----
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGE_NAME ves-agent)
set(CPACK_PACKAGE_VENDOR "ves-agent")
set(CPACK_PACKAGE_CONTACT "ves-agent maintainers <ves-agent@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus, Alertmanager and OpenStack to ONAP VES collectors")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "ves-agent turns Alertmanager alerts, Prometheus measurements and OpenStack VM states into ONAP VES events and "
    "posts them to a primary VES collector with failover to a backup. It reads ONAP-VESPA configurations, runs as "
    "a hardened systemd service and exposes Prometheus metrics about itself.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Only what install() lists; no source package.
set(CPACK_SOURCE_GENERATOR "")

# DEB
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps finds libssl3, libcurl4, libyaml-cpp, libspdlog, ...
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "prometheus-alertmanager")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/ves-agent/ves-agent")
set(VESAGENT_DEB_CONTROL ${PROJECT_BINARY_DIR}/packaging/deb)
file(MAKE_DIRECTORY ${VESAGENT_DEB_CONTROL})
file(WRITE ${VESAGENT_DEB_CONTROL}/conffiles "/etc/ves-agent/ves-agent.yml\n/etc/default/ves-agent\n")
foreach(script postinst prerm postrm)
  file(COPY ${PROJECT_SOURCE_DIR}/packaging/deb/${script} DESTINATION ${VESAGENT_DEB_CONTROL}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${VESAGENT_DEB_CONTROL}/conffiles ${VESAGENT_DEB_CONTROL}/postinst ${VESAGENT_DEB_CONTROL}/prerm
    ${VESAGENT_DEB_CONTROL}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/pre.sh)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/postun.sh)
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) /etc/ves-agent/ves-agent.yml"
    "%config(noreplace) /etc/default/ves-agent")
# Directories owned by the filesystem package must not be claimed by ours.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/default /usr/lib/systemd /usr/lib/systemd/system /usr/share/man /usr/share/man/man1 /usr/share/doc)

include(CPack)

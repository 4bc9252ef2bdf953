# cabind for Yocto / OpenEmbedded images: the same CMake build and install rules as the
# Debian package (packaging/CMakeLists.txt). Not built in cabind's own CI (no Yocto tree
# there); set SRC_URI to where your layer fetches cabind from and pin SRCREV.
SUMMARY = "Cabin personalisation daemon for car head units"
DESCRIPTION = "cabind recognises the driver from identity signals on the CAN bus and \
applies the driver's climate, seat and navigation settings by CAN frames, behind \
safety interlocks. Configured with YAML on top of the vehicle's DBC files."
SECTION = "console/utils"
# The project has not chosen a licence yet (see packaging/debian/copyright).
LICENSE = "CLOSED"

SRC_URI = "git://git.example.com/cabind.git;protocol=https;branch=main"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

inherit cmake pkgconfig systemd

DEPENDS = "boost nlohmann-json spdlog fmt yaml-cpp sqlite3"

# No tests or benchmarks on the target; the unit goes where this distro keeps units. The
# git revision that `cabind --version` prints is read from the fetched checkout.
EXTRA_OECMAKE = " \
    -DCABIND_BUILD_TESTS=OFF \
    -DCABIND_BUILD_BENCH=OFF \
    -DCABIND_SYSTEMD_UNIT_DIR=${systemd_system_unitdir} \
"

SYSTEMD_SERVICE:${PN} = "cabind.service"
SYSTEMD_AUTO_ENABLE:${PN} = "enable"

# The example vehicle in /etc/cabind: an integrator's edits survive upgrades (as the
# Debian package's conffiles). A vehicle layer usually replaces them in a bbappend.
CONFFILES:${PN} = " \
    ${sysconfdir}/cabind/vehicle.yaml \
    ${sysconfdir}/cabind/rules.yaml \
    ${sysconfdir}/cabind/demo_body.dbc \
    ${sysconfdir}/cabind/profiles/alice.yaml \
    ${sysconfdir}/cabind/profiles/bob.yaml \
    ${sysconfdir}/cabind/profiles/carla.yaml \
    ${sysconfdir}/cabind/profiles/guest.yaml \
"
FILES:${PN} += "${sysconfdir}/cabind"

# cabind opens SocketCAN: the kernel needs CAN_RAW (and a CAN driver for the board).
RRECOMMENDS:${PN} = "kernel-module-can-raw"

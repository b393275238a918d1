#!/usr/bin/env bash
# Debian packages `make test` needs on the machine that runs it (root only): the real programs the tests use.
#   openssh-server, openssh-client  the private sshd of the integration tests (never started as the system daemon)
#   the shellcheck package          ansible-test sanity's shellcheck test (skipped, not failed, when missing)
#   pciutils, pci.ids, hwdata       lspci and the PCI/PNP id lists some collector tests read (as the targets do)
#   perl                            runs the glpi-remote stand-in (tests/stand_ins/glpi-remote; JSON::PP is in perl's modules)
#   php-cli                         PHP for the stand-in GLPI tree of the GLPI Network tests (Debian builds sodium into it)
#   systemd                         systemd-analyze verify checks the units the roles write (systemd is not started)
#   python3-apt                     the apt module installs the roles' stand-in glpi-agent .deb with the system Python's apt
set -euo pipefail

packages=(openssh-server openssh-client shellcheck pciutils pci.ids hwdata perl php-cli systemd python3-apt)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run make test as root, or install them)" >&2
  exit 1
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The sshd package must not start or enable the system daemon: the tests run their own.
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1; fi
trap '[ -n "$created_policy" ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }

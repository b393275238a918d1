# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Where GLPI is installed on the host: plugins/module_utils/_glpi_network.py's glpi_install_argument_spec(), one for one.
    DOCUMENTATION = r"""
options:
  glpi_path:
    description:
      - GLPI's root directory on the host, the one that holds C(bin/console).
    type: path
    default: /var/www/glpi
  php_path:
    description:
      - The PHP command line interpreter GLPI runs with. Default is C(php) from E(PATH).
    type: path
  config_dir:
    description:
      - GLPI's configuration directory (C(GLPI_CONFIG_DIR), with C(config_db.php) and C(glpicrypt.key)) when it is not
        C(<glpi_path>/config), for example C(/etc/glpi) with distribution packages.
    type: path
  allow_superuser:
    description:
      - Let GLPI 11's console run as root (its C(--allow-superuser) option). GLPI 11 refuses root otherwise; the task then
        fails and says to run it as the web server user (O(ignore:become_user)), which is the better choice, since files
        GLPI creates as root break it later.
      - Given only to GLPI 11, whose console knows it; GLPI 9.5 and 10.0 run as root without it.
    type: bool
    default: false
  command_timeout:
    description:
      - Seconds each run of PHP (GLPI's console, or the module's program reading GLPI's state) may take. A run still
        going then is stopped, with every process it started, and the task fails saying so.
      - Generous by default, since installing or updating a plugin may migrate a large database.
    type: int
    default: 1800
"""

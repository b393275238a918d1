# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI Network registration key of a GLPI server, read and written with GLPI's own code.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  No GLPI release has a
``glpi:network:register`` console command; what GLPI really provides is:

- writing: ``php bin/console config:set glpinetwork_registration_key`` with the value
  omitted, so the console prompts and reads it from stdin (the key stays off every
  command line); GLPI encrypts it with ``<config dir>/glpicrypt.key``;
- reading and validating: GLPI's own ``GLPINetwork`` class, through a small PHP program
  (:func:`read_program`) given to ``php`` on stdin.

The pure functions build that program and the console command, and interpret what
comes back; :class:`GlpiServer` is the only part that runs anything; :func:`run_module`
ends the ``glpi_network_*`` modules.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._process import run_process

# Marks the program's answer in its output: GLPI or PHP may print notices before it.
RESULT_MARKER = "GLPIOPS-GLPI-NETWORK:"
KEY_NAME = "glpinetwork_registration_key"
UPDATED_MESSAGE = 'Configuration "%s" updated.' % KEY_NAME
SERVICES_HOST = "services.glpi-network.com"
# GLPINetwork::getRegistrationInformations() says this when it got no usable answer (English: no language is loaded).
UNABLE_TO_FETCH = "Unable to fetch registration information."
SUPPORTED_VERSIONS = "9.5, 10.0 and 11.0"

# Console exit codes (GLPI's Glpi\Console\Application).
CONSOLE_ERRORS = {
    1: "the console command failed",
    128: "GLPI's system requirements are missing (run 'php bin/console system:check_requirements' as the web server user)",
    129: "GLPI says its database must be updated ('php bin/console db:update'); GLPI 10.0 also says so, with this code, "
         "when it cannot connect to its database: check config_db.php and that the database server is up",
    130: "GLPI cannot connect to its database (check config_db.php and that the database server is up)",
    131: "GLPI says its database must be updated ('php bin/console db:update')",
}

# GLPI 11's console, run as root without --allow-superuser, ends its refusal with this line (and exits 1).
ROOT_REFUSAL = "Use --allow-superuser option to bypass this limitation."

# Seconds one PHP run (GLPI's console, or a program booting GLPI) may take: a plugin install may migrate a large
# database.  Each stream of its output is read up to OUTPUT_MAX bytes.
COMMAND_TIMEOUT = 1800
OUTPUT_MAX = 8 << 20

LEGACY = "legacy"  # 9.5 and 10.0: inc/based_config.php, then DB and Config by hand
KERNEL = "kernel"  # 11: Symfony kernel


class GlpiNetworkError(GLPIOpsError):
    """A failure to report as the module's ``msg``; ``details`` go into the result beside it."""

    def __init__(self, msg, **details):
        super(GlpiNetworkError, self).__init__(msg)
        self.msg = msg
        self.details = details


# --- pure functions -----------------------------------------------------------------------------

def normalize_key(value):
    """The key as GLPI's web form stores it: surrounding whitespace removed (``config:set`` keeps it)."""
    return (value or "").strip()


def fingerprint(key):
    """A short SHA-256 fingerprint of ``key`` for diffs and results, ``''`` for no key.

    Keys are base64 of JSON: their first and last characters are nearly the same for every key,
    so only a digest tells two keys apart without showing them.
    """
    if not key:
        return ""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def mask_key(key):
    """What ``glpi_network_info`` shows of a key: its length and fingerprint, never its characters."""
    if not key:
        return ""
    return "<%d characters, %s>" % (len(key), fingerprint(key))


def key_shape_problem(key):
    """Why ``key`` does not look like a GLPI Network key (base64 of a JSON object with ``signature``), or ``None``.

    Only a hint for a warning: GLPI Network itself decides what is valid.
    """
    try:
        document = json.loads(base64.b64decode(key.encode("ascii"), validate=True).decode("utf-8"))
    except (ValueError, UnicodeError, TypeError):
        return "it is not base64 of a JSON document"
    if not isinstance(document, dict) or "signature" not in document:
        return "its JSON document has no 'signature'"
    return None


def glpi_layout(has_kernel, has_based_config):
    """How a GLPI tree boots: KERNEL (11), LEGACY (9.5, 10.0) or ``None`` (not a GLPI tree)."""
    if has_kernel:
        return KERNEL
    if has_based_config:
        return LEGACY
    return None


def version_problem(version):
    """``None`` when this collection knows how to drive GLPI ``version``, else the message to fail with."""
    match = re.match(r"^(\d+)\.(\d+)", version or "")
    if match:
        major, minor = int(match.group(1)), int(match.group(2))
        if (major, minor) >= (9, 5) and major <= 11:
            return None
    return "unsupported GLPI version %s: this module drives GLPI %s" % (version or "(unknown)", SUPPORTED_VERSIONS)


def is_kernel_version(version):
    match = re.match(r"^(\d+)", version or "")
    return bool(match) and int(match.group(1)) >= 11


def php_string(value):
    """A PHP expression for ``value`` (str or None) that survives any characters: base64 inside the program."""
    if value is None:
        return "null"
    return "base64_decode('%s')" % base64.b64encode(value.encode("utf-8")).decode("ascii")


# Boots GLPI the way its console does (9.5/10: inc/based_config.php, the database, the legacy configuration; 11: the
# Symfony kernel), then runs a body that fills $answer; the answer is one JSON line after the marker.
_BOOT = r"""<?php
// glpiops.glpi: %(purpose)s
$glpiops_root = %(root)s;
$glpiops_config_dir = %(config_dir)s;
$glpiops_layout = %(layout)s;
$glpiops_warnings = [];
set_error_handler(function ($errno, $errstr) use (&$glpiops_warnings) {
    $glpiops_warnings[] = $errstr;
    return true;
});
function glpiops_answer(array $answer)
{
    global $glpiops_warnings;
    $answer['php_warnings'] = $glpiops_warnings;
    echo "\n%(marker)s" . json_encode($answer, JSON_PARTIAL_OUTPUT_ON_ERROR) . "\n";
    exit(0);
}
try {
    chdir($glpiops_root);
    if ($glpiops_config_dir !== null && !defined('GLPI_CONFIG_DIR')) {
        define('GLPI_CONFIG_DIR', $glpiops_config_dir);
    }
    if ($glpiops_layout === 'kernel') {
        require $glpiops_root . '/vendor/autoload.php';
        $glpiops_kernel = new \Glpi\Kernel\Kernel();
        $glpiops_kernel->boot();
        if (!DBConnection::isDbAvailable()) {
            glpiops_answer(['error' => 'database', 'glpi_version' => GLPI_VERSION]);
        }
    } else {
        define('GLPI_ROOT', $glpiops_root);
        include_once GLPI_ROOT . '/inc/based_config.php';
        include_once GLPI_ROOT . '/inc/db.function.php';
        if (!is_readable(GLPI_CONFIG_DIR . '/config_db.php')) {
            glpiops_answer(['error' => 'not_installed', 'glpi_version' => GLPI_VERSION, 'config_dir' => GLPI_CONFIG_DIR]);
        }
        include_once GLPI_CONFIG_DIR . '/config_db.php';
        $DB = new DB();
        if (!$DB->connected) {
            glpiops_answer(['error' => 'database', 'glpi_version' => GLPI_VERSION]);
        }
        Config::loadLegacyConfiguration();
    }
%(body)s
    glpiops_answer($answer);
} catch (Throwable $e) {
    glpiops_answer(['error' => 'exception', 'message' => get_class($e) . ': ' . $e->getMessage()]);
}
"""

_KEY_BODY = r"""    $glpiops_action = %(action)s;
    $answer = [
        'glpi_version' => GLPI_VERSION,
        'config_dir' => GLPI_CONFIG_DIR,
        'stored' => ($CFG_GLPI['%(key_name)s'] ?? '') !== '',
        'key' => GLPINetwork::getRegistrationKey(),
    ];
    if ($glpiops_action === 'validate' || $glpiops_action === 'connectivity') {
        if (!isset($_SESSION['glpilanguage'])) {
            $_SESSION['glpilanguage'] = 'en_GB';
        }
        if (!isset($GLPI_CACHE)) {
            // GLPI 9.5/10.0 build their cache in the web and console front ends only.
            $GLPI_CACHE = new class {
                private $items = [];
                public function get($key, $default = null) { return $this->items[$key] ?? $default; }
                public function set($key, $value, $ttl = null) { $this->items[$key] = $value; return true; }
                public function has($key) { return isset($this->items[$key]); }
                public function delete($key) { unset($this->items[$key]); return true; }
            };
        }
    }
    if ($glpiops_action === 'validate' && $answer['key'] !== '') {
        $answer['information'] = GLPINetwork::getRegistrationInformations(true);
    }
    if ($glpiops_action === 'connectivity'
        || ($glpiops_action === 'validate' && $answer['key'] !== '' && empty($answer['information']['is_valid']))) {
        $glpiops_curl_error = null;
        $answer['services_available'] = (bool) GLPINetwork::isServicesAvailable($glpiops_curl_error);
        $answer['curl_error'] = $glpiops_curl_error;
    }"""


def glpi_program(purpose, body, glpi_path, config_dir, layout, marker=RESULT_MARKER):
    """A PHP program that boots GLPI at ``glpi_path`` (``layout``: :data:`LEGACY` or :data:`KERNEL`) as its console
    does, runs ``body`` (PHP filling ``$answer``) and prints ``$answer`` as one JSON line after ``marker``.

    GLPI not installed, its database unreachable or an exception become ``$answer['error']`` (see
    :func:`program_problem`); PHP's warnings go into ``php_warnings``.  It holds no secret: it is given to ``php``
    on stdin; ``php_string`` makes the values PHP literals.
    """
    return _BOOT % {
        "purpose": purpose,
        "root": php_string(glpi_path),
        "config_dir": php_string(config_dir),
        "layout": php_string(layout),
        "marker": marker,
        "body": body,
    }


def read_program(action, glpi_path, config_dir, layout):
    """The PHP program reading the registration key, answering after :data:`RESULT_MARKER`.

    ``action``: ``read`` (version and current key), ``validate`` (also ask GLPI Network about the
    stored key, forcing a refresh of GLPI's one-day cache) or ``connectivity`` (only whether GLPI
    reaches GLPI Network).
    """
    body = _KEY_BODY % {"action": php_string(action), "key_name": KEY_NAME}
    return glpi_program("read (and, when asked, validate) the GLPI Network registration key with GLPI's own classes.",
                        body, glpi_path, config_dir, layout)


def parse_program_output(stdout):
    """The program's JSON answer (a dict) from its output, or ``None`` when there is none."""
    for line in reversed((stdout or "").splitlines()):
        if line.startswith(RESULT_MARKER):
            try:
                answer = json.loads(line[len(RESULT_MARKER):])
            except ValueError:
                return None
            return answer if isinstance(answer, dict) else None
    return None


def program_problem(answer, rc, stderr, glpi_path):
    """The message to fail with for the program's ``answer`` (``None`` when it read the key)."""
    if answer is None:
        detail = (stderr or "").strip().splitlines()
        return "could not read GLPI's configuration with php (rc %s)%s" % (rc, ": " + detail[-1] if detail else "")
    error = answer.get("error")
    if error == "database":
        return "GLPI %s cannot connect to its database: check config_db.php and that the database server is up" % answer.get("glpi_version", "")
    if error == "not_installed":
        return "GLPI at %s is not installed: no readable config_db.php in %s (set config_dir when GLPI_CONFIG_DIR is relocated)" % (
            glpi_path, answer.get("config_dir"))
    if error:
        return "reading GLPI's configuration failed: %s" % answer.get("message", error)
    problem = version_problem(answer.get("glpi_version"))
    if problem:
        return problem
    return None


def undecryptable_warning(answer):
    """A warning when a key is stored that GLPI cannot decrypt (``glpicrypt.key`` replaced), else ``None``."""
    if answer.get("stored") and not answer.get("key"):
        return ("a registration key is stored but GLPI cannot decrypt it with %s/glpicrypt.key (was the key file replaced?)"
                % answer.get("config_dir", "<config dir>"))
    return None


def console_command(php_path, glpi_path, config_dir, version, allow_superuser=False):
    """argv of ``config:set`` for the key, the value left out so the console prompts for it on stdin.

    ``--allow-superuser`` goes only to GLPI 11, whose console refuses root without it (GLPI 10's has no such option).
    """
    argv = [php_path, os.path.join(glpi_path, "bin", "console"), "config:set", KEY_NAME]
    if config_dir and not is_kernel_version(version):
        argv.append("--config-dir=%s" % config_dir)
    if allow_superuser and is_kernel_version(version):
        argv.append("--allow-superuser")
    return argv


def root_message(command):
    """What to do when GLPI 11's console refused to run ``command`` as root."""
    return ("GLPI 11's console refuses to run as root (%s: 'WARNING: running as root is discouraged.'). Run the task as the web "
            "server user, who owns GLPI's files (become: true with become_user: www-data on Debian and Ubuntu, apache on Red Hat "
            "family systems), or set allow_superuser: true to run it as root anyway (files it creates are then owned by root)."
            % command)


def console_problem(rc, stdout, stderr):
    """``None`` when ``config:set`` stored the value, else why not (rc meaning and GLPI's words)."""
    if rc == 0 and UPDATED_MESSAGE in (stdout or ""):
        return None
    if rc == 1 and ROOT_REFUSAL in (stdout or ""):
        return root_message("config:set")
    meaning = CONSOLE_ERRORS.get(rc, "the console command failed")
    said = [line.strip() for line in ((stdout or "") + "\n" + (stderr or "")).splitlines()
            if line.strip() and line.strip() != "Configuration value:"]
    if rc == 0:
        meaning = "the console did not confirm the update"
    return "php bin/console config:set %s failed (rc %s: %s)%s" % (KEY_NAME, rc, meaning, ": " + " ".join(said)[:500] if said else "")


def scrub(text, secrets):
    """``text`` with every non-empty secret replaced by ``********``."""
    if not isinstance(text, str):
        return text
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


def registration_state(information):
    """Sort GLPI Network's answer: ``valid``, ``terminated``, ``invalid`` or ``unreachable``.

    ``information`` is the program's answer for ``validate``: GLPINetwork's registration
    informations, plus ``services_available`` when the key was not accepted.
    """
    info = information.get("information") or {}
    if information.get("services_available") is False:
        return "unreachable"
    if info.get("is_valid"):
        subscription = info.get("subscription") or {}
        return "terminated" if subscription.get("is_running") is False else "valid"
    if (info.get("validation_message") or "").startswith(UNABLE_TO_FETCH) and not info.get("owner"):
        return "unreachable"
    return "invalid"


def registration_facts(answer):
    """``registered``, ``validation_message``, ``owner`` and ``subscription`` for the results."""
    info = answer.get("information") or {}
    owner = info.get("owner") if isinstance(info.get("owner"), dict) else {}
    subscription = info.get("subscription") if isinstance(info.get("subscription"), dict) else None
    return {
        "registered": bool(info.get("is_valid")),
        "validation_message": info.get("validation_message"),
        "owner": owner.get("name"),
        "subscription": {"title": subscription.get("title"), "running": subscription.get("is_running")} if subscription else None,
    }


def connectivity_message(answer):
    """Why GLPI could not ask GLPI Network, and what to do about it."""
    detail = answer.get("curl_error") or ""
    if not detail:
        for warning in answer.get("php_warnings") or []:
            match = re.search(r"Error message:\s*(.+)", warning)
            if match:
                detail = match.group(1).strip()
                break
    return ("GLPI Network cannot be reached from this GLPI server (https://%s)%s. Check that the server can reach %s "
            "on port 443 (DNS, firewall) and GLPI's proxy settings (Setup > General > System: proxy_name, proxy_port, "
            "proxy_user). validate: false stores the key without checking it." % (SERVICES_HOST, ": " + detail if detail else "", SERVICES_HOST))


def key_diff(before, after):
    """Ansible diff of the stored key, each side a fingerprint (never the key)."""
    return {
        "before_header": KEY_NAME,
        "after_header": KEY_NAME,
        "before": (fingerprint(before) or "(no key)") + "\n",
        "after": (fingerprint(after) or "(no key)") + "\n",
    }


# --- I/O --------------------------------------------------------------------------------------

class GlpiServer:
    """A GLPI tree on this host, driven through ``php``: the only code here that runs commands."""

    def __init__(self, module, glpi_path, php_path=None, config_dir=None, allow_superuser=False):
        self.module = module
        self.allow_superuser = allow_superuser
        self.glpi_path = os.path.abspath(glpi_path)
        self.config_dir = config_dir
        self.php = php_path or module.get_bin_path("php", required=False)
        if not self.php:
            raise GlpiNetworkError("php was not found: install the PHP command line interpreter GLPI uses, or set php_path")
        if not os.path.isfile(os.path.join(self.glpi_path, "bin", "console")):
            raise GlpiNetworkError("%s is not a GLPI directory: it has no bin/console (set glpi_path to GLPI's root)" % self.glpi_path)
        self.layout = glpi_layout(os.path.isfile(os.path.join(self.glpi_path, "src", "Glpi", "Kernel", "Kernel.php")),
                                  os.path.isfile(os.path.join(self.glpi_path, "inc", "based_config.php")))
        if self.layout is None:
            raise GlpiNetworkError("unsupported GLPI version at %s: neither inc/based_config.php (9.5, 10.0) nor "
                                   "src/Glpi/Kernel/Kernel.php (11) is there" % self.glpi_path)
        self.version = None

    def _environ(self):
        environ = dict(os.environ)
        if self.config_dir:
            environ["GLPI_CONFIG_DIR"] = self.config_dir
        return environ

    def run(self, argv, stdin):
        """Run ``argv`` in GLPI's directory with ``stdin`` (bytes) -> ``(rc, stdout, stderr)`` as text (the caller
        scrubs what it shows); within ``command_timeout`` seconds and ``OUTPUT_MAX`` bytes per stream, else it is stopped (with
        everything it started) and :class:`GlpiNetworkError` says so."""
        seconds = self.module.params.get("command_timeout") or COMMAND_TIMEOUT
        program = "GLPI's console" if any(str(arg).endswith("bin/console") for arg in argv) else "php"
        try:
            finished = run_process(argv, seconds, stdin_data=stdin, env=self._environ(), cwd=self.glpi_path,
                                   max_output=OUTPUT_MAX, max_errors=OUTPUT_MAX)
        except OSError as exc:
            raise GlpiNetworkError("cannot run %s: %s" % (argv[0], exc.strerror or exc))
        if finished.stop == "timeout":
            raise GlpiNetworkError("%s did not finish within %s s (option command_timeout): it was stopped" % (program, seconds))
        if finished.stop:
            raise GlpiNetworkError("%s wrote more than %d bytes on its %s: it was stopped" % (program, OUTPUT_MAX, finished.stop))
        return finished.rc, finished.stdout.decode("utf-8", "replace"), finished.stderr.decode("utf-8", "replace")

    def run_program(self, action, secrets=()):
        """Run :func:`read_program`; the answer, or :class:`GlpiNetworkError`."""
        program = read_program(action, self.glpi_path, self.config_dir, self.layout)
        rc, stdout, stderr = self.run([self.php, "-d", "display_errors=stderr"], program.encode("utf-8"))
        answer = parse_program_output(stdout)  # the key itself, when asked for: never shown
        problem = program_problem(answer, rc, scrub(stderr, secrets), self.glpi_path)
        if problem:
            raise GlpiNetworkError(problem, glpi_version=(answer or {}).get("glpi_version"))
        self.version = answer.get("glpi_version")
        return answer

    def read_key(self, secrets=()):
        return self.run_program("read", secrets)

    def write_key(self, key, secrets=()):
        """``config:set`` with ``key`` (``''`` clears it) on stdin, then read back: the stored value must decrypt to it."""
        argv = console_command(self.php, self.glpi_path, self.config_dir, self.version, self.allow_superuser)
        # The line ends the console's answer to its prompt; an empty line answers '' (no key).
        rc, stdout, stderr = self.run(argv, (key + "\n").encode("utf-8"))
        problem = console_problem(rc, scrub(stdout, secrets), scrub(stderr, secrets))
        if problem:
            raise GlpiNetworkError(problem, rc=rc)
        answer = self.read_key(secrets)
        if answer.get("key") != key:
            raise GlpiNetworkError("GLPI reported the key updated, but the stored value does not decrypt to the key written")
        return answer

    def validate(self, secrets=()):
        """Ask GLPI Network, through GLPI, about the stored key: (state, facts, answer).

        ``state`` is :func:`registration_state`'s word; ``facts`` the result keys of :func:`registration_facts`.
        """
        answer = self.run_program("validate", secrets)
        if not answer.get("key"):
            return "absent", registration_facts({}), answer
        return registration_state(answer), registration_facts(answer), answer

    def connectivity(self):
        """(reachable, message) for GLPI's own connection to GLPI Network (proxy settings included)."""
        answer = self.run_program("connectivity")
        if answer.get("services_available"):
            return True, "GLPI reaches GLPI Network (https://%s)." % SERVICES_HOST
        return False, connectivity_message(answer)


def run_module(module, run):
    """End the module with ``run()``'s result, or with the :class:`GlpiNetworkError` it raises.

    The result's ``warnings`` become the module's warnings; its ``diff`` is returned in diff mode only.
    """
    try:
        result = run()
    except GlpiNetworkError as error:
        module.fail_json(msg=error.msg, **error.details)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


def glpi_install_argument_spec():
    """Where GLPI is installed (the ``glpiops.glpi.glpi_install`` doc fragment documents these options)."""
    return dict(
        glpi_path=dict(type="path", default="/var/www/glpi"),
        php_path=dict(type="path"),
        config_dir=dict(type="path"),
        allow_superuser=dict(type="bool", default=False),
        command_timeout=dict(type="int", default=COMMAND_TIMEOUT),
    )

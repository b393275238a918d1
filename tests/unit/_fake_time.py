# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An injected clock and sleep for tests of waits with deadlines: sleeping advances the clock, and is recorded."""

from __future__ import annotations


class FakeTime:
    """Injected clock and sleep: sleeping advances the clock, and is recorded."""

    def __init__(self, now=100.0):
        self.now = now
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API client's bounds: an answer whose head or body drips in is cut at ``request_deadline``."""

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError, JSONClient

BODY = b'[' + b'"computer",' * 40 + b'"last"]'  # about 20 s at 0.05 s a byte


class Dripper:
    """A server that reads one request, then sends its answer one byte every ``interval`` seconds: the head too
    (``part="head"``) or only the body after a whole head (``part="body"``).  ``hung_up`` is set when the client
    closed the connection before the answer was whole; ``sent`` counts the bytes that went out."""

    def __init__(self, part, interval=0.05):
        self.part = part
        self.interval = interval
        self.stop = threading.Event()
        self.hung_up = threading.Event()
        self.sent = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.url = "http://127.0.0.1:%d/apirest.php/Computer" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        connection, _address = self.sock.accept()
        with connection:
            connection.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
            answer = head + BODY
            start = 0
            if self.part == "body":
                connection.sendall(head)
                start = len(head)
            for index in range(start, len(answer)):
                if self.stop.wait(self.interval):
                    return
                try:
                    connection.sendall(answer[index:index + 1])
                except OSError:
                    self.hung_up.set()
                    return
                self.sent += 1

    def close(self):
        self.stop.set()
        self.sock.close()
        self.thread.join(10)


@pytest.mark.parametrize("part", ["head", "body"])
def test_an_answer_dripping_in_is_cut_at_the_request_deadline(part):
    # Each byte comes well within the read time-out (5 s): only the deadline of the whole request stops it.
    dripper = Dripper(part)
    client = JSONClient({"timeout": 5, "request_deadline": 1})
    try:
        with pytest.raises(GLPIAPIError) as caught:
            client.get(dripper.url)
        # The client hung up: the server notices on its next byte (the whole answer would take minutes).
        assert dripper.hung_up.wait(10), "the client kept reading"
    finally:
        client.close()
        dripper.close()
    assert caught.value.option == "request_deadline"
    assert "no whole answer from http://127.0.0.1" in caught.value.message and "within 1 s" in caught.value.message
    assert dripper.sent < len(BODY)


def test_a_stalled_body_is_a_read_time_out():
    dripper = Dripper("body", interval=3)
    client = JSONClient({"timeout": 1, "request_deadline": 60})
    try:
        with pytest.raises(GLPIAPIError) as caught:
            client.get(dripper.url)
    finally:
        client.close()
        dripper.close()
    assert caught.value.option == "timeout" and "request_deadline" not in caught.value.message


def test_a_whole_answer_in_time_is_read():
    dripper = Dripper("body", interval=0)
    client = JSONClient({"timeout": 5, "request_deadline": 60})
    try:
        answer = client.get(dripper.url)
    finally:
        client.close()
        dripper.close()
    assert answer.status == 200 and answer.document[-1] == "last" and len(answer.document) == 41

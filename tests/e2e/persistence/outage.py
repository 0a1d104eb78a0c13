"""A TCP forwarder between a Rasa server and its PostgreSQL or Redis, to fail them without touching the
machine's own services: `hang()` keeps accepting connections but never forwards a byte again (a hung
database or Redis), `close()` closes the port (nothing answers there: connection refused)."""
from __future__ import annotations

import socket
import threading
from typing import List

from harness.servers import free_port


class TcpOutage:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.hung = threading.Event()
        self.listener: socket.socket | None = None
        self.sockets: List[socket.socket] = []

    def start(self) -> "TcpOutage":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.hung.is_set():
                continue  # accepted, and never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self.sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.hung.is_set():
                continue  # swallow: the other side waits forever
            try:
                sink.sendall(data)
            except OSError:
                return

    def hang(self) -> None:
        self.hung.set()

    def close(self) -> None:
        """Closes the port and every connection through it."""
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (a bare close() would not)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def restore(self) -> None:
        """Forwards again, on the same port."""
        self.close()
        self.hung.clear()
        self.start()

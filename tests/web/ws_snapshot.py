#!/usr/bin/python3
"""Reads the web view's first WebSocket message (stdlib only: the vcan VM has no browser).

usage: ws_snapshot.py URL [TOKEN]   ->  prints the first message's JSON on one line
"""
import base64
import os
import socket
import sys


def main():
    url = sys.argv[1]
    token = sys.argv[2] if len(sys.argv) > 2 else ''
    host = url.split('/')[2]
    address, port = host.rsplit(':', 1)
    sock = socket.create_connection((address.strip('[]'), int(port)), timeout=20)
    key = base64.b64encode(os.urandom(16)).decode()
    target = '/ws' + ('?token=' + token if token else '')
    sock.sendall((f'GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n'
                  f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n'
                  'Sec-WebSocket-Version: 13\r\n\r\n').encode())
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit('closed during the handshake')
        data += chunk
    head, data = data.split(b'\r\n\r\n', 1)
    status = head.split(b'\r\n')[0].decode()
    if ' 101 ' not in status:
        sys.exit(status)

    def take(n):
        nonlocal data
        while len(data) < n:
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit('closed mid-message')
            data += chunk
        out, data = data[:n], data[n:]
        return out

    message = b''
    while True:  # frames until FIN (continuation frames appended)
        first, second = take(2)
        length = second & 127
        if length == 126:
            length = int.from_bytes(take(2), 'big')
        elif length == 127:
            length = int.from_bytes(take(8), 'big')
        message += take(length)
        if first & 0x80:
            break
    print(message.decode())


main()

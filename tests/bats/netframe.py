#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Raw Ethernet frames for 98-switch.bats, through an AF_PACKET socket on a
# network device or a tap device's file descriptor. Frames carry EtherType
# 0x88b5 (IEEE local experimental) and a random payload so that a reply
# is told apart from anything else on the wire.
#
#   netframe.py ping IFACE DST [--src MAC] [--timeout S] [--tap]
#       sends one frame to DST and waits for it to come back from DST to
#       SRC (default: IFACE's own MAC) with the same payload; exit 0 when
#       it did, 1 when it did not
#   netframe.py send IFACE DST COUNT [--src MAC]
#       sends COUNT frames to DST
#   netframe.py watch IFACE SRC SECONDS
#       prints how many frames from SRC arrived on IFACE in SECONDS
#   netframe.py blast IFACE DST SECONDS
#       sends frames to DST for SECONDS, as fast as the socket takes them
import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_TYPE = 0x88B5
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def mac_bytes(text):
    b = bytes(int(x, 16) for x in text.split(":"))
    if len(b) != 6:
        raise ValueError(f"bad MAC {text}")
    return b


def iface_mac(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return mac_bytes(f.read().strip())


def frame(dst, src, payload):
    f = dst + src + struct.pack("!H", ETH_TYPE) + payload
    return f + bytes(max(0, 60 - len(f)))


class Packet:
    """An AF_PACKET socket bound to one device."""

    def __init__(self, iface):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((iface, 0))

    def fileno(self):
        return self.sock.fileno()

    def send(self, data):
        self.sock.send(data)

    def recv(self):
        return self.sock.recv(65536)


class Tap:
    """A tap device's queue: what we write, the kernel receives."""

    def __init__(self, name):
        self.fd = os.open("/dev/net/tun", os.O_RDWR)
        ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
        fcntl.ioctl(self.fd, TUNSETIFF, ifr)

    def fileno(self):
        return self.fd

    def send(self, data):
        os.write(self.fd, data)

    def recv(self):
        return os.read(self.fd, 65536)


def frames_until(port, deadline):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([port], [], [], left)
        if r:
            yield port.recv()


def cmd_ping(a):
    port = Tap(a.iface) if a.tap else Packet(a.iface)
    src = mac_bytes(a.src) if a.src else iface_mac(a.iface)
    dst = mac_bytes(a.dst)
    payload = b"denali-ping-" + os.urandom(8).hex().encode()
    end = time.monotonic() + a.timeout
    # One frame a second: the first may go before a tap's bridge port
    # forwards. The echo of any of them will do.
    while time.monotonic() < end:
        port.send(frame(dst, src, payload))
        for f in frames_until(port, min(end, time.monotonic() + 1)):
            if (f[0:6] == src and f[6:12] == dst and
                    f[12:14] == struct.pack("!H", ETH_TYPE) and
                    f[14:14 + len(payload)] == payload):
                return 0
    print(f"no echo from {a.dst} within {a.timeout}s", file=sys.stderr)
    return 1


def cmd_send(a):
    port = Packet(a.iface)
    src = mac_bytes(a.src) if a.src else iface_mac(a.iface)
    data = frame(mac_bytes(a.dst), src, b"denali-send")
    for _ in range(a.count):
        port.send(data)
    return 0


def cmd_watch(a):
    port = Packet(a.iface)
    src = mac_bytes(a.src)
    n = sum(1 for f in frames_until(port, time.monotonic() + a.seconds)
            if f[6:12] == src)
    print(n)
    return 0


def cmd_blast(a):
    port = Packet(a.iface)
    data = frame(mac_bytes(a.dst), iface_mac(a.iface), b"denali-blast")
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            port.send(data)
        except OSError:
            # ENOBUFS and the like while the queue is full, or the
            # device going away under us: keep going until the end.
            time.sleep(0.001)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("ping")
    s.add_argument("iface")
    s.add_argument("dst")
    s.add_argument("--src")
    s.add_argument("--timeout", type=float, default=10)
    s.add_argument("--tap", action="store_true")
    s = sub.add_parser("send")
    s.add_argument("iface")
    s.add_argument("dst")
    s.add_argument("count", type=int)
    s.add_argument("--src")
    s = sub.add_parser("watch")
    s.add_argument("iface")
    s.add_argument("src")
    s.add_argument("seconds", type=float)
    s = sub.add_parser("blast")
    s.add_argument("iface")
    s.add_argument("dst")
    s.add_argument("seconds", type=float)
    a = p.parse_args()
    return {"ping": cmd_ping, "send": cmd_send, "watch": cmd_watch,
            "blast": cmd_blast}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

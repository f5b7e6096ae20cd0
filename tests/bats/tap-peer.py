#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tap-peer.py TAP MY_IP VM_IP [COUNT]: a host on the far side of a tap device.

Opens the tap device TAP (which must exist and be up, e.g. a port of the
same Linux bridge as denali0), resolves VM_IP with an ARP request from
MY_IP and a MAC of its own, then sends COUNT (default 3) ICMP echo
requests to the MAC it learned and checks each reply: source and
destination, identifier, sequence number, payload and checksums. Prints
one line per step ("arp VM_IP is at MAC", "echo N ok"), exits 0 when
every step passed and 1 with a reason otherwise. Frames it is not waiting
for (the bridge's own traffic, IPv6 neighbour discovery) are skipped.
"""

import fcntl
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
BROADCAST = b"\xff" * 6
MY_MAC = bytes.fromhex("0200deadbe01")
TIMEOUT_S = 10


def fail(msg):
    print(f"tap-peer: {msg}", file=sys.stderr)
    sys.exit(1)


def inet(addr):
    parts = [int(p) for p in addr.split(".")]
    if len(parts) != 4 or not all(0 <= p <= 255 for p in parts):
        fail(f"not an IPv4 address: {addr}")
    return bytes(parts)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def receive(fd, match):
    """The first frame for which match(frame) is true, within TIMEOUT_S."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            frame = os.read(fd, 2048)
            if match(frame):
                return frame


def arp(fd, my_ip, vm_ip):
    request = (BROADCAST + MY_MAC + struct.pack("!H", ETH_P_ARP) +
               struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) +
               MY_MAC + my_ip + b"\0" * 6 + vm_ip)

    def is_reply(f):
        return (len(f) >= 42 and f[0:6] == MY_MAC and
                f[12:14] == struct.pack("!H", ETH_P_ARP) and
                f[20:22] == b"\0\2" and f[28:32] == vm_ip and
                f[38:42] == my_ip)

    for _ in range(3):
        os.write(fd, request)
        reply = receive(fd, is_reply)
        if reply:
            if reply[6:12] != reply[22:28]:
                fail("ARP reply's Ethernet and ARP senders differ")
            return reply[22:28]
    fail(f"no ARP reply for {'.'.join(map(str, vm_ip))}")


def echo(fd, my_ip, vm_ip, vm_mac, seq):
    ident = os.getpid() & 0xFFFF
    payload = bytes((seq + i) & 0xFF for i in range(56))
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0x4000,
                     64, 1, 0, my_ip, vm_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    os.write(fd, vm_mac + MY_MAC + struct.pack("!H", ETH_P_IP) + ip + icmp)

    def is_reply(f):
        return (len(f) >= 34 and f[0:6] == MY_MAC and
                f[12:14] == struct.pack("!H", ETH_P_IP) and f[23] == 1 and
                f[26:30] == vm_ip and f[30:34] == my_ip)

    reply = receive(fd, is_reply)
    if reply is None:
        fail(f"no echo reply {seq}")
    if reply[6:12] != vm_mac:
        fail(f"echo reply {seq} from another MAC")
    ihl = (reply[14] & 0xF) * 4
    if checksum(reply[14:14 + ihl]) != 0:
        fail(f"echo reply {seq}: bad IPv4 header checksum")
    total = struct.unpack("!H", reply[16:18])[0]
    body = reply[14 + ihl:14 + total]
    if checksum(body) != 0:
        fail(f"echo reply {seq}: bad ICMP checksum")
    kind, _, _, r_ident, r_seq = struct.unpack("!BBHHH", body[:8])
    if (kind, r_ident, r_seq) != (0, ident, seq) or body[8:] != payload:
        fail(f"echo reply {seq} does not match its request")


def main():
    if len(sys.argv) not in (4, 5):
        fail("usage: tap-peer.py TAP MY_IP VM_IP [COUNT]")
    tap, my_ip, vm_ip = sys.argv[1], inet(sys.argv[2]), inet(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) == 5 else 3
    fd = open_tap(tap)
    vm_mac = arp(fd, my_ip, vm_ip)
    print(f"arp {sys.argv[3]} is at {vm_mac.hex(':')}")
    for seq in range(1, count + 1):
        echo(fd, my_ip, vm_ip, vm_mac, seq)
        print(f"echo {seq} ok")


if __name__ == "__main__":
    main()

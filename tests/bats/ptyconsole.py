#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ptyconsole.py VM LINE: runs 'denalictl console VM -i' on a new pty, as
a terminal would, types LINE and Enter, waits for the guest (echo.elf)
to print "echo: LINE", types Ctrl-] and checks that denalictl detaches
with status 0 and leaves the terminal's modes as it found them. Prints
what the terminal showed; exits 1 on any failure."""

import os
import select
import subprocess
import sys
import termios
import time

TIMEOUT = 30


def main():
    vm, line = sys.argv[1], sys.argv[2]
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen(['denalictl', 'console', vm, '-i'],
                            stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    shown = b''

    def expect(text):
        nonlocal shown
        deadline = time.monotonic() + TIMEOUT
        while text not in shown:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([master], [], [], left)[0]:
                return False
            try:
                shown += os.read(master, 4096)
            except OSError:
                return False
        return True

    ok = expect(b'escape character is ^]')
    # Enter sends a carriage return; raw mode keeps ICRNL, a newline.
    ok = ok and os.write(master, line.encode() + b'\r') > 0
    ok = ok and expect(b'echo: ' + line.encode() + b'\r\n')
    raw = ok and termios.tcgetattr(slave)
    ok = ok and os.write(master, b'\x1d') > 0
    try:
        status = proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = 'still attached'
    after = termios.tcgetattr(slave)
    print(shown.decode(errors='replace'))
    if not ok:
        print('ptyconsole: the echo never came back')
        return 1
    if status != 0:
        print('ptyconsole: denalictl ended with %s' % status)
        return 1
    if raw[3] & termios.ECHO or raw[3] & termios.ICANON:
        print('ptyconsole: the terminal was not in raw mode')
        return 1
    if after != before:
        print('ptyconsole: the terminal was not restored')
        return 1
    print('ptyconsole: echoed, detached, terminal restored')
    return 0


if __name__ == '__main__':
    sys.exit(main())

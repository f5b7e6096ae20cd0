#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile control-plane input for the "denali" generic netlink family.

Sends the family malformed and random requests, reproducible from --seed,
interleaved with real VMs being created, started, stopped, swapped out and
destroyed, and checks every reply: each must parse, answer the request it
belongs to, and no request with invalid input may succeed. Every N
requests a dump is reconciled with the VMs the replies announced. At the
end it destroys what it created and prints a summary.

With --unpriv (an unprivileged user, or root of a user namespace) every
request to the family must fail with EPERM and joining the "events"
group must fail with EPERM too; --target names a VM that root created,
which these requests aim at and must leave as it was.

Exit status: 0 clean, 1 protocol violations, 2 usage or set-up error,
3 the kernel stopped answering (a hang).
"""
import argparse
import errno
import os
import random
import re
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11

NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 1, 2, 4, 8
NLM_F_ROOT, NLM_F_MATCH = 0x100, 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
NLA_TYPE_MASK = 0x3fff

GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2

# What the family may answer a request with. Anything else is a violation.
ALLOWED_ERRNOS = {
    errno.EPERM, errno.ENOENT, errno.EEXIST, errno.EINVAL, errno.ERANGE,
    errno.EBADF, errno.ENOEXEC, errno.EFBIG, errno.EBUSY, errno.ENOMEM,
    errno.EOPNOTSUPP, errno.EMSGSIZE, errno.ENOSPC, errno.EADDRINUSE,
    errno.EADDRNOTAVAIL,
}
# Where a valid request may still fail: the host's memory.
RESOURCE_ERRNOS = {errno.ENOMEM, errno.ENOSPC}


class Violation(Exception):
    """A reply that breaks the protocol or a request that wrongly worked."""


class Hang(Exception):
    """The kernel did not answer within the time allowed."""


def parse_uapi(path):
    """The family's enums and limits, read from the uapi header."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    enums = {}
    for m in re.finditer(r'enum\s+(\w+)\s*\{(.*?)\};', text, re.S):
        val = 0
        names = {}
        for item in m.group(2).split(','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                name, expr = (s.strip() for s in item.split('=', 1))
                m2 = re.fullmatch(r'(\w+)\s*([+-])\s*(\d+)', expr)
                if m2:
                    val = names[m2.group(1)] + int(m2.group(3)) * (
                        1 if m2.group(2) == '+' else -1)
                else:
                    val = names[expr] if expr in names else int(expr, 0)
            else:
                name = item
            names[name] = val
            val += 1
        enums[m.group(1)] = names
    defs = {}
    for m in re.finditer(r'#define\s+(DENALI_\w+)\s+(.+)', text):
        expr = re.sub(r'(\d+)U', r'\1', m.group(2).strip())
        if re.fullmatch(r'[\d\s()<>+*x-]+', expr):
            defs[m.group(1)] = eval(expr)  # digits and shifts only
        elif expr.startswith('"'):
            defs[m.group(1)] = expr.strip('"')
    return enums, defs


# ---------------------------------------------------------------------------
# Wire format

def nla(atype, payload):
    """One attribute, padded to 4 bytes."""
    hdr = struct.pack('=HH', 4 + len(payload), atype)
    return hdr + payload + b'\0' * (-len(payload) % 4)


def nlmsg(mtype, flags, seq, payload, pid=0, length=None):
    if length is None:
        length = 16 + len(payload)
    return struct.pack('=IHHII', length & 0xffffffff, mtype, flags, seq,
                       pid) + payload


def genl(cmd, version=1, reserved=0):
    return struct.pack('=BBH', cmd, version, reserved)


def parse_attrs(buf, where):
    """TLVs in buf as [(type, flags, payload)]; raises on any malformation."""
    out = []
    off = 0
    while off < len(buf):
        if len(buf) - off < 4:
            raise Violation('%s: %d stray bytes after the attributes'
                            % (where, len(buf) - off))
        alen, atype = struct.unpack_from('=HH', buf, off)
        if alen < 4 or off + alen > len(buf):
            raise Violation('%s: attribute type %d has length %d with %d '
                            'bytes left'
                            % (where, atype, alen, len(buf) - off))
        out.append((atype & NLA_TYPE_MASK, atype & ~NLA_TYPE_MASK,
                    buf[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def parse_msgs(data, where):
    """Netlink messages in one datagram: [(type, flags, seq, pid, payload)]."""
    out = []
    off = 0
    while off < len(data):
        if len(data) - off < 16:
            raise Violation('%s: %d stray bytes after the messages'
                            % (where, len(data) - off))
        mlen, mtype, flags, seq, pid = struct.unpack_from('=IHHII', data, off)
        if mlen < 16 or off + mlen > len(data):
            raise Violation('%s: message length %d with %d bytes left'
                            % (where, mlen, len(data) - off))
        out.append((mtype, flags, seq, pid, data[off + 16:off + mlen]))
        off += (mlen + 3) & ~3
    return out


def cstr(b):
    return b.split(b'\0', 1)[0].decode('latin-1')


class Family:
    """The denali family's numbers, from uapi/linux/denali.h."""

    def __init__(self, header):
        enums, defs = parse_uapi(header)
        self.cmd = enums['denali_cmd']
        self.attr = enums['denali_attr']
        self.stat = enums['denali_stat']
        self.host_stat = enums['denali_host_stat']
        self.state = enums['denali_vm_state']
        self.d = defs
        self.a = {k[len('DENALI_A_'):]: v for k, v in self.attr.items()
                  if not k.startswith('__')}
        self.c = {k[len('DENALI_CMD_'):]: v for k, v in self.cmd.items()
                  if not k.startswith('__')}
        self.attr_max = self.attr['DENALI_A_MAX']
        self.cmd_max = self.cmd['DENALI_CMD_MAX']
        self.state_max = self.state['DENALI_VM_STATE_MAX']
        self.name_max = defs['DENALI_NAME_MAX']
        self.cmdline_max = defs['DENALI_CMDLINE_MAX']
        self.reason_max = defs['DENALI_REASON_MAX']
        self.mem_min = defs['DENALI_MEM_MIN']
        self.mem_max = defs['DENALI_MEM_MAX']
        self.mem_default = defs['DENALI_MEM_DEFAULT']
        # Attributes that only replies carry: the policy rejects them.
        self.reply_only = [self.a[n] for n in (
            'VM_STATE', 'VM_EXIT_CODE', 'VM_CRASH_REASON', 'VM_STATS',
            'BACKEND', 'VM_RESIDENT', 'HOST_STATS') if n in self.a]


# ---------------------------------------------------------------------------
# The socket

class Conn:
    def __init__(self, timeout):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.portid = self.sock.getsockname()[0]
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.sentinel_seq = 0x80000000

    def recv(self):
        try:
            data, _, flags, _ = self.sock.recvmsg(1 << 20)
        except socket.timeout:
            raise Hang('no answer from the kernel in %ds' % self.timeout)
        except OSError as e:
            # A reply that did not fit the receive buffer.
            if e.errno == errno.ENOBUFS:
                raise Violation('receive buffer overrun (ENOBUFS)')
            raise
        if flags & socket.MSG_TRUNC:
            raise Violation('a reply of more than 1 MiB')
        return data

    def exchange(self, data, ancillary=()):
        """Send one datagram, then a NOOP that asks for an ACK: every answer
        to the datagram comes before that ACK. Returns (send errno or 0,
        [messages]) with messages as parse_msgs gives them; a dump that
        started is read to its end."""
        try:
            self.sock.sendmsg([data], list(ancillary))
            send_err = 0
        except OSError as e:
            send_err = e.errno
        self.sentinel_seq = 0x80000000 | ((self.sentinel_seq + 1) & 0x7fffffff)
        sseq = self.sentinel_seq
        self.sock.send(nlmsg(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, sseq, b''))
        msgs = []
        seen_sentinel = False
        open_dumps = set()
        while not seen_sentinel or open_dumps:
            for m in parse_msgs(self.recv(), 'reply'):
                mtype, flags, seq, pid, payload = m
                if pid != self.portid:
                    raise Violation('reply addressed to port %d, not ours '
                                    '(%d)' % (pid, self.portid))
                if seq == sseq and not seen_sentinel:
                    if mtype != NLMSG_ERROR or len(payload) < 20 or \
                            struct.unpack_from('=i', payload)[0] != 0:
                        raise Violation('the NOOP was not simply acked')
                    seen_sentinel = True
                    continue
                if flags & NLM_F_MULTI and mtype != NLMSG_DONE:
                    open_dumps.add(seq)
                if mtype == NLMSG_DONE:
                    open_dumps.discard(seq)
                msgs.append(m)
        return send_err, msgs

    def close(self):
        self.sock.close()


def resolve(conn, name):
    """(family id, {group name: id}) from nlctrl, or raises OSError."""
    req = nlmsg(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 1,
                genl(CTRL_CMD_GETFAMILY) +
                nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b'\0'))
    _, msgs = conn.exchange(req)
    fid, groups = None, {}
    for mtype, _, _, _, payload in msgs:
        if mtype == NLMSG_ERROR:
            err = struct.unpack_from('=i', payload)[0]
            if err:
                raise OSError(-err, os.strerror(-err))
            continue
        for atype, _, val in parse_attrs(payload[4:], 'nlctrl'):
            if atype == CTRL_ATTR_FAMILY_ID:
                fid = struct.unpack('=H', val[:2])[0]
            elif atype == CTRL_ATTR_MCAST_GROUPS:
                for _, _, grp in parse_attrs(val, 'nlctrl groups'):
                    g = dict((t, v) for t, _, v in parse_attrs(grp, 'group'))
                    groups[cstr(g[CTRL_ATTR_MCAST_GRP_NAME])] = \
                        struct.unpack('=I', g[CTRL_ATTR_MCAST_GRP_ID])[0]
    if fid is None:
        raise OSError(errno.ENOENT, 'no family id in the reply')
    return fid, groups


# ---------------------------------------------------------------------------
# Descriptors to pass as DENALI_A_VM_IMAGE_FD

class FdPool:
    """Open descriptors of every kind, each with whether the module may
    accept it as an image: 'image' (a real guest), 'maybe' (a regular
    readable file that is no guest: ENOEXEC and the like), 'bad' (must
    fail: not a regular file open for reading, or not open at all)."""

    def __init__(self, rng, images):
        self.entries = []
        self.keep = []
        self.tmp = tempfile.mkdtemp(prefix='nlfuzz.')
        for path in images:
            self.add(os.open(path, os.O_RDONLY), 'image', 'guest %s'
                     % os.path.basename(path))
        img = images[0]
        with open(img, 'rb') as f:
            elf = f.read()

        def tmpfile(name, content):
            p = os.path.join(self.tmp, name)
            with open(p, 'wb') as f:
                f.write(content)
            return p

        self.add(os.open(img, os.O_PATH), 'bad', 'O_PATH of a guest')
        self.add(os.open(tmpfile('wronly.elf', elf), os.O_WRONLY), 'bad',
                 'guest open write-only')
        self.add(os.open(tmpfile('empty', b''), os.O_RDONLY), 'maybe',
                 'empty file')
        self.add(os.open(tmpfile('head.elf', elf[:52]), os.O_RDONLY),
                 'maybe', 'ELF header only')
        self.add(os.open(tmpfile('half.elf', elf[:len(elf) // 2]),
                         os.O_RDONLY), 'maybe', 'half a guest')
        self.add(os.open(tmpfile('random', rng.randbytes(8192)),
                         os.O_RDONLY), 'maybe', 'random bytes')
        bent = bytearray(elf)
        for _ in range(16):
            bent[rng.randrange(len(bent) if rng.random() < 0.5 else 64)] = \
                rng.randrange(256)
        self.add(os.open(tmpfile('bent.elf', bytes(bent)), os.O_RDONLY),
                 'maybe', 'guest with bytes changed')
        sparse = os.path.join(self.tmp, 'sparse.elf')
        with open(sparse, 'wb') as f:
            f.write(elf)
            f.truncate(1 << 32)
        self.add(os.open(sparse, os.O_RDONLY), 'maybe',
                 'guest in a 4 GiB sparse file')
        for path, what in (('/bin/true', 'ELF64 program'),
                           ('/etc/passwd', 'text file'),
                           ('/proc/self/status', 'proc file'),
                           (os.path.join(REPO, 'module', 'denali.ko'),
                            'the module itself'),
                           ('/sys/module/denali/initstate', 'sysfs file')):
            try:
                self.add(os.open(path, os.O_RDONLY), 'maybe', what)
            except OSError:
                pass
        for path, what in (('/dev/null', '/dev/null'),
                           ('/dev/denali', '/dev/denali'),
                           ('/dev/zero', '/dev/zero'),
                           ('/', 'the root directory'),
                           ('/sys/module/denali', 'sysfs directory'),
                           (self.tmp, 'a directory')):
            try:
                self.add(os.open(path, os.O_RDONLY), 'bad', what)
            except OSError:
                pass
        r, w = os.pipe()
        self.add(r, 'bad', 'pipe read end')
        self.add(w, 'bad', 'pipe write end')
        a, b = socket.socketpair()
        self.keep += [a, b]
        self.add(a.fileno(), 'bad', 'unix socket')
        ns = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                           NETLINK_GENERIC)
        self.keep.append(ns)
        self.add(ns.fileno(), 'bad', 'netlink socket')
        self.add(os.eventfd(0), 'bad', 'eventfd')
        m = os.memfd_create('nlfuzz-elf')
        os.write(m, elf)
        self.add(m, 'maybe', 'memfd holding a guest')
        m = os.memfd_create('nlfuzz-junk')
        os.write(m, rng.randbytes(4096))
        self.add(m, 'maybe', 'memfd of junk')
        closed = os.open('/dev/null', os.O_RDONLY)
        os.close(closed)
        for n, what in ((closed, 'a closed descriptor'), (-1, 'fd -1'),
                        (-2 ** 31, 'fd INT_MIN'), (2 ** 31 - 1, 'fd INT_MAX'),
                        (65535, 'fd 65535')):
            self.entries.append((n, 'bad', what))
        self.images = [e for e in self.entries if e[1] == 'image']

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, fd, kind, what):
        self.entries.append((fd, kind, what))

    def pick(self, rng):
        return rng.choice(self.entries)


# ---------------------------------------------------------------------------
# The fuzzer

class Fuzzer:
    def __init__(self, args, fam, conn, fid):
        self.args = args
        self.f = fam
        self.conn = conn
        self.fid = fid
        self.rng = random.Random(args.seed)
        self.unpriv = args.unpriv
        self.sent = 0
        self.errnos = {}
        self.violations = []
        self.vms = {}          # id -> {'name', 'mac', 'mem', ...}
        self.gone_ids = set()  # destroyed by us: must never answer again
        self.gone_names = set()
        self.macs = set()
        self.created = 0
        self.destroyed = 0
        self.replies = 0
        self.serial = 0
        self.preexisting = set()
        self.pre_macs = set()
        self.max_live = args.max_vms
        self.current = None    # (index, bytes) of the request in flight
        self.fds = FdPool(self.rng, args.images)
        self.target = args.target
        self.kind = ''
        self.log = open(args.log, 'w') if args.log else None

    # -- bookkeeping --------------------------------------------------------

    def violation(self, text):
        idx, data = self.current or (None, b'')
        msg = ('VIOLATION at request %s (seed %d): %s\n  request: %s'
               % (idx, self.args.seed, text, data.hex()))
        print(msg, flush=True)
        self.violations.append(msg)
        if len(self.violations) >= self.args.max_violations:
            raise SystemExit(self.summary())

    def count_errno(self, e):
        self.errnos[e] = self.errnos.get(e, 0) + 1

    def new_name(self, length=None):
        self.serial += 1
        base = 'fz%d-%d' % (self.args.seed % 100000, self.serial)
        if length is None:
            length = self.rng.choice((len(base), len(base) + 3, 12,
                                      self.f.name_max - 1))
        length = max(length, len(base))
        alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_.:+'
        return base + ''.join(self.rng.choice(alphabet)
                              for _ in range(length - len(base)))

    def new_mac(self):
        while True:
            mac = bytes([0x02 | (self.rng.randrange(64) << 2)]) + \
                self.rng.randbytes(5)
            if mac not in self.macs:
                return mac

    # -- reply checks -------------------------------------------------------

    def check_vm_record(self, attrs, where, full=True):
        """One VM's attributes in a reply or event; returns them by name."""
        a = self.f.a
        got = {}
        for atype, flags, val in attrs:
            if flags & NLA_F_NESTED and atype not in (
                    a['VM_STATS'], a.get('HOST_STATS')):
                raise Violation('%s: attribute %d marked nested' % (where,
                                                                    atype))
            if atype in got and atype != a['VM_STATS']:
                raise Violation('%s: attribute %d twice' % (where, atype))
            got[atype] = val
        need = ['VM_ID', 'VM_NAME', 'VM_STATE']
        if full:
            need += ['VM_MEM_SIZE', 'VM_MAC', 'BACKEND', 'VM_STATS']
        for n in need:
            if a[n] not in got:
                raise Violation('%s: no %s' % (where, n))
        sizes = {'VM_ID': 4, 'VM_STATE': 4, 'VM_MEM_SIZE': 4, 'VM_MAC': 6,
                 'VM_EXIT_CODE': 4, 'VM_RESIDENT': 1, 'VM_IPV4': 4,
                 'VM_TRUSTED': 0}
        for n, size in sizes.items():
            if n in a and a[n] in got and len(got[a[n]]) != size:
                raise Violation('%s: %s has %d bytes, not %d'
                                % (where, n, len(got[a[n]]), size))
        for n, limit in (('VM_NAME', self.f.name_max),
                         ('VM_CRASH_REASON', self.f.reason_max),
                         ('BACKEND', 8)):
            v = got.get(a[n])
            if v is not None and (not v.endswith(b'\0') or b'\0' in v[:-1] or
                                  len(v) > limit):
                raise Violation('%s: %s is not a string of at most %d bytes: '
                                '%r' % (where, n, limit, v))
        rec = {'id': struct.unpack('=I', got[a['VM_ID']])[0],
               'name': cstr(got[a['VM_NAME']]),
               'state': struct.unpack('=I', got[a['VM_STATE']])[0]}
        if rec['state'] > self.f.state_max:
            raise Violation('%s: state %d' % (where, rec['state']))
        if rec['id'] == 0:
            raise Violation('%s: VM id 0' % where)
        if a['BACKEND'] in got and cstr(got[a['BACKEND']]) not in ('vmx',
                                                                   'svm'):
            raise Violation('%s: backend %r' % (where, got[a['BACKEND']]))
        if a['VM_MEM_SIZE'] in got:
            rec['mem'] = struct.unpack('=I', got[a['VM_MEM_SIZE']])[0]
            if not self.f.mem_min <= rec['mem'] <= self.f.mem_max or \
                    rec['mem'] % 4096:
                raise Violation('%s: memory size %d' % (where, rec['mem']))
        if a['VM_MAC'] in got:
            rec['mac'] = got[a['VM_MAC']]
            if rec['mac'][0] & 1 or rec['mac'] == bytes(6):
                raise Violation('%s: MAC %s' % (where, rec['mac'].hex()))
        if 'VM_IPV4' in a and a['VM_IPV4'] in got:
            rec['ipv4'] = got[a['VM_IPV4']]
        if 'VM_TRUSTED' in a:
            rec['trusted'] = a['VM_TRUSTED'] in got
        if a['VM_STATS'] in got:
            for st, _, val in parse_attrs(got[a['VM_STATS']], where +
                                           ' stats'):
                if st != self.f.stat['DENALI_STAT_PAD'] and len(val) != 8:
                    raise Violation('%s: counter %d has %d bytes'
                                    % (where, st, len(val)))
        return rec

    def check_reply(self, req_seq, msgs, expect_cmd):
        """Split the answers to one request: (errno or None, [records])."""
        err = None
        records = []
        for mtype, flags, seq, pid, payload in msgs:
            if seq != req_seq:
                raise Violation('an answer with sequence %d to request %d'
                                % (seq, req_seq))
            if mtype == NLMSG_ERROR:
                if err is not None:
                    raise Violation('two acks for one request')
                if len(payload) < 20:
                    raise Violation('short error message (%d bytes)'
                                    % len(payload))
                e = -struct.unpack_from('=i', payload)[0]
                if e < 0 or (e and e not in ALLOWED_ERRNOS):
                    raise Violation('error %d (%s)' % (e, errno.errorcode.get(
                        e, '?')))
                orig_len = struct.unpack_from('=I', payload, 4)[0]
                if flags & NLM_F_CAPPED:
                    tlv = payload[20:]
                else:
                    # The request itself comes back, padded.
                    tlv = payload[4 + ((orig_len + 3) & ~3):]
                    if orig_len < 16:
                        raise Violation('error echoes a %d-byte request'
                                        % orig_len)
                if flags & NLM_F_ACK_TLVS:
                    for t, _, v in parse_attrs(tlv, 'extended ack'):
                        if t == NLMSGERR_ATTR_MSG and not v.endswith(b'\0'):
                            raise Violation('extended ack message %r' % v)
                elif tlv:
                    raise Violation('%d bytes after the error without '
                                    'NLM_F_ACK_TLVS' % len(tlv))
                orig_type, orig_flags = struct.unpack_from('=HH', payload, 8)
                if self.unpriv and e == 0 and orig_type == self.fid and \
                        orig_flags & NLM_F_REQUEST:
                    raise Violation('an unprivileged request was acked')
                err = e
                self.count_errno(e)
            elif mtype == NLMSG_DONE:
                if len(payload) < 4:
                    raise Violation('NLMSG_DONE of %d bytes' % len(payload))
                e = -struct.unpack_from('=i', payload)[0]
                if e:
                    err = e
                    self.count_errno(e)
            elif mtype == self.fid:
                self.replies += 1
                if len(payload) < 4:
                    raise Violation('family reply without a genl header')
                cmd = payload[0]
                if expect_cmd is not None and cmd not in expect_cmd:
                    raise Violation('reply command %d to a request for %s'
                                    % (cmd, sorted(expect_cmd)))
                attrs = parse_attrs(payload[4:], 'reply')
                if cmd == self.f.c['HOST_GET']:
                    self.check_host(attrs)
                else:
                    records.append((cmd, self.check_vm_record(attrs,
                                                              'reply')))
            else:
                raise Violation('answer of type %d' % mtype)
        return err, records

    def check_host(self, attrs):
        a = self.f.a
        kinds = [t for t, _, _ in attrs]
        if a['BACKEND'] not in kinds or a['HOST_STATS'] not in kinds:
            raise Violation('HOST_GET reply lacks BACKEND or HOST_STATS')
        for t, _, v in attrs:
            if t == a['HOST_STATS']:
                for st, _, val in parse_attrs(v, 'host stats'):
                    if st != self.f.host_stat['DENALI_HOST_STAT_PAD'] and \
                            len(val) != 8:
                        raise Violation('host counter %d has %d bytes'
                                        % (st, len(val)))

    # -- sending ------------------------------------------------------------

    def send(self, data, expect_cmd=None, ancillary=()):
        """Send one datagram whose first message has the sequence number at
        bytes 8..12; returns (errno or None, records). Every record of a
        created VM is tracked so that it is destroyed at the end."""
        self.sent += 1
        self.current = (self.sent, data)
        seq = struct.unpack_from('=I', data, 8)[0] if len(data) >= 12 else 0
        signal.alarm(self.args.hang_s)
        try:
            send_err, msgs = self.conn.exchange(data, ancillary)
        finally:
            signal.alarm(0)
        if send_err:
            self.count_errno(-send_err)
            return -send_err, []
        # A datagram with several messages: answers carry each one's seq.
        seqs = set()
        off = 0
        while off + 16 <= len(data):
            mlen = struct.unpack_from('=I', data, off)[0]
            seqs.add(struct.unpack_from('=I', data, off + 8)[0])
            if mlen < 16:
                break
            off += (mlen + 3) & ~3
        try:
            if len(seqs) > 1:
                by_seq = {}
                for m in msgs:
                    if m[2] not in seqs:
                        raise Violation('an answer with sequence %d' % m[2])
                    by_seq.setdefault(m[2], []).append(m)
                err, records = None, []
                for s, ms in by_seq.items():
                    e, r = self.check_reply(s, ms, expect_cmd)
                    err = e if err is None else err
                    records += r
            else:
                err, records = self.check_reply(seq, msgs, expect_cmd)
        except Violation as v:
            self.violation(str(v))
            return None, []
        if self.log:
            self.log.write('%d %s %s %s %s\n' % (
                self.sent, self.kind, errno.errorcode.get(err, err),
                ','.join('%d:%d:%s' % (c, r['id'], r['name'])
                         for c, r in records), data.hex()))
        for cmd, rec in records:
            if cmd == self.f.c['VM_CREATE']:
                self.track(rec)
        if self.unpriv and records:
            self.violation('an unprivileged request got %d records'
                           % len(records))
        return err, records

    def track(self, rec):
        if rec['id'] in self.vms or rec['id'] in self.preexisting:
            self.violation('create reply for VM %d, which exists already'
                           % rec['id'])
            return
        for other in self.vms.values():
            if other['name'] == rec['name']:
                self.violation('two VMs named %r' % rec['name'])
            if other.get('mac') == rec.get('mac'):
                self.violation('two VMs with MAC %s' % rec['mac'].hex())
        self.vms[rec['id']] = rec
        self.macs.add(rec.get('mac'))
        self.created += 1

    def live_macs(self):
        """MACs that VMs hold: a destroyed VM's MAC is free again."""
        return {v.get('mac') for v in self.vms.values()} | self.pre_macs

    def untrack(self, vid):
        rec = self.vms.pop(vid)
        self.gone_ids.add(vid)
        self.gone_names.add(rec['name'])
        self.destroyed += 1

    def seq(self):
        return self.rng.randrange(1, 0x7fffffff)

    def request(self, cmd, attrs, flags=NLM_F_REQUEST | NLM_F_ACK):
        return nlmsg(self.fid, flags, self.seq(),
                     genl(cmd) + b''.join(attrs))

    # -- attribute pools ----------------------------------------------------

    def name_value(self):
        """A name attribute's payload: valid, at every length boundary,
        malformed, taken or huge."""
        nm = self.f.name_max
        live = [v['name'] for v in self.vms.values()]
        choices = [
            lambda: self.new_name().encode() + b'\0',
            lambda: self.new_name(nm - 1).encode() + b'\0',
            lambda: self.new_name(nm).encode() + b'\0',
            lambda: self.new_name(nm + 1).encode() + b'\0',
            lambda: self.new_name(nm - 1).encode(),
            lambda: self.new_name(nm).encode(),
            lambda: self.new_name().encode(),
            lambda: b'\0',
            lambda: b'',
            lambda: b'#' + self.new_name().encode() + b'\0',
            lambda: str(self.rng.randrange(10 ** 9)).encode() + b'\0',
            lambda: b'a b\0',
            lambda: b'tab\tname\0',
            lambda: b'ctl\x01\0',
            lambda: b'del\x7f\0',
            lambda: self.new_name().encode() + b'\0trailing',
            lambda: self.new_name().encode() + b'\0' * 8,
            lambda: bytes([self.rng.randrange(0x80, 0x100)]) * 4 + b'\0',
            lambda: b'x' * self.rng.choice((4000, 20000, 65000)) + b'\0',
            lambda: self.rng.randbytes(self.rng.randrange(1, 64)),
            lambda: ('vm%d' % self.rng.randrange(1, 64)).encode() + b'\0',
        ]
        if live:
            choices.append(lambda: self.rng.choice(live).encode('latin-1') +
                           b'\0')
        return self.rng.choice(choices)()

    def name_policy_ok(self, raw):
        """NLA_NUL_STRING with len NAME_MAX - 1: a NUL among the first
        NAME_MAX bytes, and at most NAME_MAX - 1 bytes before a final
        NUL."""
        nm = self.f.name_max
        if b'\0' not in raw[:min(len(raw), nm)]:
            return False
        return len(raw) - (1 if raw.endswith(b'\0') else 0) <= nm - 1

    def name_semantic_ok(self, raw, live_names):
        """denali_nl_check_name() and uniqueness; None where the kernel's
        ctype table (Latin-1) decides."""
        if not self.name_policy_ok(raw):
            return False
        s = raw.split(b'\0', 1)[0]
        if not s or s.startswith(b'#') or s.isdigit():
            return False
        if s.decode('latin-1') in live_names:
            return False
        if any(c >= 0x80 for c in s):
            return None
        return all(0x21 <= c <= 0x7e for c in s)

    def mem_value(self):
        lo, hi = self.f.mem_min, self.f.mem_max
        return self.rng.choice((0, 1, 4095, 4096, lo - 4096, lo - 1, lo,
                                lo + 1,
                             lo + 4096, self.f.mem_default, hi - 4096, hi,
                             hi + 1, hi + 4096, 2 ** 31, 2 ** 32 - 4096,
                             2 ** 32 - 1, self.rng.randrange(2 ** 32),
                             self.rng.randrange(lo, 8 << 20) & ~4095))

    def mac_value(self):
        choices = [
            lambda: (self.new_mac(), True),
            lambda: (bytes(6), False),
            lambda: (b'\xff' * 6, False),
            lambda: (b'\x01\x00\x5e' + self.rng.randbytes(3), False),
            lambda: (bytes([self.rng.randrange(256) | 1]) +
                     self.rng.randbytes(5), False),
            lambda: (self.new_mac()[:5], False),
            lambda: (self.new_mac() + b'\0', False),
            lambda: (b'', False),
        ]
        taken = sorted(m for m in self.live_macs() if m)
        if taken:
            choices.append(lambda: (self.rng.choice(taken), 'taken'))
        return self.rng.choice(choices)()

    def ipv4_value(self):
        return self.rng.choice((
            (bytes(4), False), (b'\xff' * 4, False),
            (bytes([224 + self.rng.randrange(16)]) + self.rng.randbytes(3),
             False),
            (bytes([10, 77, self.rng.randrange(256),
                    self.rng.randrange(1, 255)]), None),
            (self.rng.randbytes(4), None),
            (b'\x0a\x00\x00', False), (b'\x0a\x00\x00\x01\x00', False),
        ))

    def cmdline_value(self):
        cm = self.f.cmdline_max
        txt = lambda n: bytes(self.rng.randrange(0x20, 0x7f) for _ in range(n))
        return self.rng.choice((
            (b'\0', True), (txt(10) + b'\0', True),
            (txt(cm - 1) + b'\0', True),
            (txt(cm) + b'\0', False), (txt(cm + 1) + b'\0', False),
            (txt(cm - 1), False), (txt(20), False), (b'', False),
            (txt(5000) + b'\0', False),
            (self.rng.randbytes(self.rng.randrange(1, 300)), None),
        ))

    def u32_bad_len(self, v):
        """A u32 payload of the wrong size."""
        raw = struct.pack('=Q', v)
        return raw[:self.rng.choice((0, 1, 2, 3, 5, 8))]

    # -- requests ------------------------------------------------------------

    def fuzz_create(self):
        """A create request built from the pools. The policy checks every
        occurrence of an attribute; the module uses the last of each kind,
        so that one alone decides the rest."""
        a = self.f.a
        attrs = []
        bad = []
        unknown = []
        last = {}
        live_names = {v['name'] for v in self.vms.values()}
        live_macs = self.live_macs()

        def put(key, atype, payload, policy_ok, sem_ok, why):
            attrs.append(nla(atype, payload))
            if not policy_ok:
                bad.append(why)
            last[key] = (payload, sem_ok, why)

        fd, kind, what = self.fds.pick(self.rng)
        if self.rng.random() < 0.35:
            fd, kind, what = self.rng.choice(self.fds.images)
        if self.rng.random() < 0.05:
            put('fd', a['VM_IMAGE_FD'], self.u32_bad_len(fd & 0xffffffff),
                False, False, 'image fd of a wrong size')
        elif self.rng.random() > 0.04:
            put('fd', a['VM_IMAGE_FD'], struct.pack('=i', fd), True,
                {'image': True, 'maybe': None, 'bad': False}[kind],
                'image fd: ' + what)
        else:
            bad.append('no image fd')
        for _ in range(self.rng.choice((0, 1, 1, 1, 2))):
            raw = self.name_value()
            put('name', a['VM_NAME'], raw, self.name_policy_ok(raw),
                self.name_semantic_ok(raw, live_names), 'name %r' % raw[:40])
        for _ in range(self.rng.choice((0, 1, 1, 2))):
            if self.rng.random() < 0.1:
                put('mem', a['VM_MEM_SIZE'],
                    self.u32_bad_len(self.rng.randrange(2 ** 32)), False,
                    False, 'mem size of a wrong size')
            else:
                v = self.mem_value()
                put('mem', a['VM_MEM_SIZE'], struct.pack('=I', v),
                    self.f.mem_min <= v <= self.f.mem_max, v % 4096 == 0,
                    'mem size %d' % v)
        if self.rng.random() < 0.5:
            raw, valid = self.cmdline_value()
            put('cmdline', a['VM_CMDLINE'], raw, valid is not False, valid,
                'cmdline of %d bytes' % len(raw))
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            raw, valid = self.mac_value()
            if len(raw) == 6 and raw in live_macs:
                valid = False
            put('mac', a['VM_MAC'], raw, len(raw) == 6, valid,
                'MAC %s' % raw.hex())
        if 'VM_IPV4' in a and self.rng.random() < 0.3:
            raw, valid = self.ipv4_value()
            put('ipv4', a['VM_IPV4'], raw, len(raw) == 4, valid,
                'IPv4 %s' % raw.hex())
        if 'VM_TRUSTED' in a and self.rng.random() < 0.2:
            raw = self.rng.choice((b'', b'', b'\x01', b'\0\0\0\0'))
            put('trusted', a['VM_TRUSTED'], raw, raw == b'', True,
                'TRUSTED flag of %d bytes' % len(raw))
        if self.rng.random() < 0.2:
            t = self.rng.choice(self.f.reply_only)
            put('reply', t, self.rng.randbytes(self.rng.choice((0, 1, 4, 8))),
                False, False, 'reply-only attribute %d' % t)
        if self.rng.random() < 0.15:
            t = self.rng.choice((0, self.f.attr_max + 1, self.f.attr_max + 7,
                                 NLA_TYPE_MASK))
            put('unknown', t, self.rng.randbytes(self.rng.randrange(12)),
                False, False, 'unknown attribute %d' % t)
        if self.rng.random() < 0.1:
            t = self.rng.choice(list(a.values()))
            put('nested', t | NLA_F_NESTED, nla(1, self.rng.randbytes(4)),
                False, False, 'NLA_F_NESTED on attribute %d' % t)
        self.rng.shuffle(attrs)
        # The order decides which occurrence is the last: recompute.
        last = self.last_of_kind(attrs, last)
        for payload, sem_ok, why in last.values():
            if sem_ok is False:
                bad.append(why)
            elif sem_ok is None:
                unknown.append(why)
        data = self.request(self.f.c['VM_CREATE'], attrs)
        err, records = self.send(data, {self.f.c['VM_CREATE']})
        if self.unpriv:
            self.expect_eperm(err)
            return
        created = [r for c, r in records if c == self.f.c['VM_CREATE']]
        if created and bad:
            self.violation('create succeeded with invalid input: %s'
                           % '; '.join(bad))
        for rec in created:
            self.check_created(rec, {k: v[0] for k, v in last.items()},
                               live_names)
        if not created and not bad and not unknown and err is not None \
                and err not in RESOURCE_ERRNOS:
            # An unnamed VM's default name may be taken by a chosen one.
            if not ('name' not in last and err == errno.EEXIST):
                self.violation('a valid create failed with %s'
                               % errno.errorcode.get(err, err))

    def fuzz_create_one_fault(self):
        """A valid create with exactly one thing wrong: it must fail, and
        with the errno that netlink.rst gives for that fault."""
        a = self.f.a
        live_names = {v['name'] for v in self.vms.values()}
        fd = self.rng.choice(self.fds.images)[0]
        base = {'fd': (a['VM_IMAGE_FD'], struct.pack('=i', fd)),
                'name': (a['VM_NAME'], self.new_name().encode() + b'\0'),
                'mem': (a['VM_MEM_SIZE'], struct.pack('=I', 1 << 20))}
        if self.rng.random() < 0.5:
            base['mac'] = (a['VM_MAC'], self.new_mac())
        fault = self.rng.choice(('fd', 'fd', 'fd', 'name', 'mem', 'cmdline',
                                 'mac', 'ipv4', 'trusted', 'reply', 'unknown',
                                 'nested', 'nofd'))
        # The policy refuses with EINVAL or, for lengths and ranges, ERANGE
        # (lib/nlattr.c); the module's own checks answer as netlink.rst
        # says.
        policy = {errno.EINVAL, errno.ERANGE}
        want = policy
        if fault == 'fd':
            fd, kind, what = self.rng.choice(
                [e for e in self.fds.entries if e[1] != 'image'])
            base['fd'] = (a['VM_IMAGE_FD'], struct.pack('=i', fd))
            why = 'image fd: ' + what
            # A regular readable file that is no guest: ENOEXEC, or EFBIG
            # or ERANGE for what its headers claim, EINVAL where the kernel
            # cannot read it (kernel_read() of a proc file); or it may load.
            want = {errno.EBADF} if kind == 'bad' else \
                {errno.ENOEXEC, errno.EFBIG, errno.ERANGE, errno.EINVAL, None}
        elif fault == 'nofd':
            del base['fd']
            why = 'no image fd'
            want = {errno.EINVAL}
        elif fault == 'name':
            raw = self.name_value()
            ok = self.name_semantic_ok(raw, live_names)
            if ok is not False:
                return self.fuzz_create()
            base['name'] = (a['VM_NAME'], raw)
            why = 'name %r' % raw[:40]
            if self.name_policy_ok(raw):
                want = {errno.EEXIST} if cstr(raw) in live_names else \
                    {errno.EINVAL}
        elif fault == 'mem':
            v = self.mem_value()
            if self.f.mem_min <= v <= self.f.mem_max and v % 4096 == 0:
                v = self.f.mem_max + 1
            base['mem'] = (a['VM_MEM_SIZE'], struct.pack('=I', v))
            why = 'mem size %d' % v
            want = {errno.EINVAL}
            if not self.f.mem_min <= v <= self.f.mem_max:
                want = {errno.ERANGE}
        elif fault == 'cmdline':
            raw, ok = self.cmdline_value()
            if ok is not False:
                raw = b'x' * self.f.cmdline_max + b'\0'
            base['cmdline'] = (a['VM_CMDLINE'], raw)
            why = 'cmdline of %d bytes' % len(raw)
        elif fault == 'mac':
            raw, ok = self.mac_value()
            if ok is True:
                raw = bytes(6)
            base['mac'] = (a['VM_MAC'], raw)
            why = 'MAC %s' % raw.hex()
            if len(raw) == 6:
                want = {errno.EEXIST} if raw in self.live_macs() else \
                    {errno.EINVAL}
        elif fault == 'ipv4' and 'VM_IPV4' in a:
            raw = self.rng.choice((bytes(4), b'\xff' * 4, b'\xe0\0\0\1',
                                   b'\x0a\0\0', b'\x0a\0\0\x01\0'))
            base['ipv4'] = (a['VM_IPV4'], raw)
            why = 'IPv4 %s' % raw.hex()
            if len(raw) == 4:
                want = {errno.EINVAL, errno.EADDRNOTAVAIL}
        elif fault == 'trusted' and 'VM_TRUSTED' in a:
            raw = self.rng.choice((b'\x01', b'\0\0\0\0'))
            base['trusted'] = (a['VM_TRUSTED'], raw)
            why = 'TRUSTED flag of %d bytes' % len(raw)
        elif fault == 'reply':
            t = self.rng.choice(self.f.reply_only)
            base['reply'] = (t, self.rng.randbytes(self.rng.choice((0, 4, 8))))
            why = 'reply-only attribute %d' % t
            want = {errno.EINVAL}
        elif fault == 'nested':
            k = self.rng.choice(sorted(base))
            t, v = base[k]
            base[k] = (t | NLA_F_NESTED, v)
            why = 'NLA_F_NESTED on %s' % k
            want = {errno.EINVAL}
        else:
            t = self.rng.choice((0, self.f.attr_max + 1, NLA_TYPE_MASK))
            base['unknown'] = (t, self.rng.randbytes(4))
            why = 'unknown attribute %d' % t
            want = {errno.EINVAL}
        attrs = [nla(t, v) for t, v in base.values()]
        self.rng.shuffle(attrs)
        err, records = self.send(self.request(self.f.c['VM_CREATE'], attrs),
                                 {self.f.c['VM_CREATE']})
        if self.unpriv:
            self.expect_eperm(err)
            return
        if records and None not in want:
            self.violation('create succeeded with invalid input: %s' % why)
        elif not records and err not in want and err not in RESOURCE_ERRNOS:
            self.violation('create with %s failed with %s, not %s'
                           % (why, errno.errorcode.get(err, err),
                              '/'.join(errno.errorcode.get(e, 'success')
                                       for e in sorted(want, key=str))))

    def last_of_kind(self, attrs, last):
        """Which occurrence of each attribute comes last, after a shuffle:
        re-derive it from the bytes, as the module's parser does."""
        a = self.f.a
        keys = {a['VM_IMAGE_FD']: 'fd', a['VM_NAME']: 'name',
                a['VM_MEM_SIZE']: 'mem', a['VM_CMDLINE']: 'cmdline',
                a['VM_MAC']: 'mac'}
        if 'VM_IPV4' in a:
            keys[a['VM_IPV4']] = 'ipv4'
        if 'VM_TRUSTED' in a:
            keys[a['VM_TRUSTED']] = 'trusted'
        out = {}
        for blob in attrs:
            atype = struct.unpack_from('=H', blob, 2)[0]
            if atype & NLA_F_NESTED or atype not in keys:
                continue
            alen = struct.unpack_from('=H', blob)[0]
            payload = blob[4:alen]
            key = keys[atype]
            out[key] = (payload, self.sem_of(key, payload), key)
        for k in ('reply', 'unknown', 'nested'):
            if k in last:
                out[k] = last[k]
        return out

    def sem_of(self, key, payload):
        """The semantic verdict of one occurrence (see fuzz_create)."""
        if key == 'name':
            return self.name_semantic_ok(payload, {v['name'] for v in
                                                   self.vms.values()})
        if key == 'mem':
            if len(payload) != 4:
                return False
            return struct.unpack('=I', payload)[0] % 4096 == 0
        if key == 'mac':
            if len(payload) != 6:
                return False
            if payload[0] & 1 or payload == bytes(6) or \
                    payload in self.live_macs():
                return False
            return True
        if key == 'fd':
            if len(payload) != 4:
                return False
            fd = struct.unpack('=i', payload)[0]
            for n, kind, _ in self.fds.entries:
                if n == fd:
                    return {'image': True, 'maybe': None, 'bad': False}[kind]
            return False
        if key == 'ipv4':
            if len(payload) != 4:
                return False
            if payload in (bytes(4), b'\xff' * 4) or payload[0] >= 224:
                return False
            return None
        if key == 'cmdline':
            cm = self.f.cmdline_max
            if b'\0' not in payload[:min(len(payload), cm)]:
                return False
            n = len(payload) - (1 if payload.endswith(b'\0') else 0)
            if n > cm - 1:
                return False
            s = payload.split(b'\0', 1)[0]
            return True if all(0x20 <= c < 0x7f for c in s) else None
        if key == 'trusted':
            return len(payload) == 0
        return None

    def check_created(self, rec, parts, live_names):
        """A create reply must describe what the request asked for; parts
        holds the payload of the last attribute of each kind."""
        if 'name' in parts and rec['name'] != cstr(parts['name']):
            self.violation('created VM named %r, not %r'
                           % (rec['name'], cstr(parts['name'])))
        want = self.f.mem_default
        if 'mem' in parts:
            want = struct.unpack('=I', parts['mem'])[0]
        if rec.get('mem') != want:
            self.violation('created VM with %s bytes of memory, not %d'
                           % (rec.get('mem'), want))
        if 'mac' in parts and rec.get('mac') != parts['mac']:
            self.violation('created VM with MAC %s, not %s'
                           % (rec.get('mac', b'').hex(), parts['mac'].hex()))
        if 'ipv4' in parts and rec.get('ipv4') != parts['ipv4']:
            self.violation('created VM with IPv4 %s, not %s'
                           % (rec.get('ipv4', b'').hex(),
                              parts['ipv4'].hex()))
        if 'trusted' in parts and 'trusted' in rec and not rec['trusted']:
            self.violation('created VM is not trusted as asked')
        if rec['state'] != self.f.state['DENALI_VM_CREATED']:
            self.violation('created VM in state %d' % rec['state'])
        if rec['name'] in live_names:
            self.violation('created VM takes the name %r of another'
                           % rec['name'])

    def target_value(self):
        """(attrs, exists): how a request names a VM, and whether the VM it
        names exists (None: unknown)."""
        a = self.f.a
        live = list(self.vms.values())
        r = self.rng.random()
        if self.target and r < 0.3:
            tid, tname = self.target
            if self.rng.random() < 0.5:
                return [nla(a['VM_ID'], struct.pack('=I', tid))], True
            return [nla(a['VM_NAME'], tname.encode() + b'\0')], True
        if r < 0.45 and self.gone_ids:
            vid = self.rng.choice(sorted(self.gone_ids))
            return [nla(a['VM_ID'], struct.pack('=I', vid))], False
        if r < 0.55 and self.gone_names:
            nm = self.rng.choice(sorted(self.gone_names))
            if nm not in {v['name'] for v in live}:
                return [nla(a['VM_NAME'], nm.encode('latin-1') + b'\0')], False
        if r < 0.7:
            vid = self.rng.choice((0, 2 ** 32 - 1, 2 ** 31, 0xdead0000))
            return [nla(a['VM_ID'], struct.pack('=I', vid))], False
        if r < 0.8:
            raw = self.name_value()
            live_names = {v['name'] for v in live}
            if self.name_policy_ok(raw) and \
                    cstr(raw) in live_names | {'vm%d' % v['id'] for v in live}:
                raw = b'no-such-' + raw
            return [nla(a['VM_NAME'], raw)], False
        if r < 0.87:
            return [nla(a['VM_ID'], self.u32_bad_len(1))], False
        if r < 0.92:
            return [], False
        # An id that does not exist and a name that does: the id wins.
        if live:
            name = self.rng.choice(live)['name'].encode('latin-1')
            return [nla(a['VM_NAME'], name + b'\0'),
                    nla(a['VM_ID'], struct.pack('=I', 2 ** 32 - 2))], False
        return [], False

    def fuzz_op(self):
        """START, STOP, DESTROY, SWAP_OUT or GET of a VM that does not exist
        or in a malformed form: none may succeed."""
        c = self.f.c
        cmd = self.rng.choice([c[n] for n in ('VM_START', 'VM_STOP',
                                              'VM_DESTROY', 'VM_GET',
                                              'VM_SWAP_OUT') if n in c])
        attrs, exists = self.target_value()
        extra = self.rng.random()
        if extra < 0.15:
            t = self.rng.choice(self.f.reply_only + [self.f.attr_max + 1])
            attrs.append(nla(t, self.rng.randbytes(4)))
            exists = False
        elif extra < 0.25:
            # Each op has its own policy: create's attributes are
            # refused elsewhere.
            attrs.append(nla(self.f.a['VM_CMDLINE'], b'x\0'))
            exists = False
        self.rng.shuffle(attrs)
        err, records = self.send(self.request(cmd, attrs),
                                 {cmd})
        if self.unpriv:
            self.expect_eperm(err)
            return
        if exists is False and (err == 0 or records):
            self.violation('command %d on a VM that does not exist '
                           'succeeded' % cmd)

    def fuzz_dump(self):
        """Dumps of VM_GET with garbage; and dump flags on other commands."""
        c = self.f.c
        cmd = c['VM_GET'] if self.rng.random() < 0.7 else \
            self.rng.randrange(0, self.f.cmd_max + 3)
        attrs = []
        for _ in range(self.rng.randrange(4)):
            attrs.append(self.garbage_attr())
        flags = NLM_F_REQUEST | NLM_F_DUMP | (NLM_F_ACK if
                                              self.rng.random() < 0.5 else 0)
        err, records = self.send(self.request(cmd, attrs, flags))
        if self.unpriv:
            # Only a command that does not exist fails before the
            # permission check.
            ops = set(c.values()) - {c['UNSPEC'], c['VM_EVENT']}
            self.expect_eperm(err, allow=() if cmd in ops else
                              {errno.EOPNOTSUPP})
        if cmd == c['VM_GET'] and not attrs and not self.unpriv and \
                err not in (0, None):
            self.violation('a plain dump failed with %s' % err)

    def garbage_attr(self):
        r = self.rng.random()
        t = self.rng.randrange(0, self.f.attr_max + 4)
        if r < 0.2:
            t |= NLA_F_NESTED
            inner = b''.join(nla(self.rng.randrange(64),
                                 self.rng.randbytes(self.rng.randrange(9)))
                             for _ in range(self.rng.randrange(4)))
            return nla(t, inner)
        if r < 0.3:
            t |= NLA_F_NET_BYTEORDER
        if r < 0.4:
            t = self.rng.randrange(0x10000)
        return nla(t, self.rng.randbytes(self.rng.choice((0, 1, 2, 4, 6, 8,
                                                          33, 300))))

    def fuzz_raw(self):
        """Any request of the family, then broken at the wire level."""
        c = self.f.c
        cmd = self.rng.choice(list(c.values()) +
                              [0, self.f.cmd_max + 1, 255])
        attrs = [self.garbage_attr() for _ in range(self.rng.randrange(5))]
        if self.rng.random() < 0.3:
            fd, _, _ = self.fds.pick(self.rng)
            attrs.append(nla(self.f.a['VM_IMAGE_FD'], struct.pack('=i', fd)))
        payload = genl(cmd, self.rng.choice((1, 0, 2, 255)),
                       self.rng.choice((0, 0, 0, 1, 0xffff))) + b''.join(attrs)
        flags = self.rng.choice((NLM_F_REQUEST | NLM_F_ACK, NLM_F_REQUEST,
                                 NLM_F_ACK, 0, NLM_F_REQUEST | NLM_F_ECHO,
                                 NLM_F_REQUEST | NLM_F_DUMP,
                                 self.rng.randrange(0x10000)))
        mtype = self.fid
        if self.rng.random() < 0.05:
            mtype = self.rng.choice((NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE,
                                     NLMSG_OVERRUN))
        how = self.rng.randrange(9)
        if how == 0:
            # Truncated, with the header's length still the full one.
            data = nlmsg(mtype, flags, self.seq(), payload)
            data = data[:self.rng.randrange(16, len(data) + 1)]
        elif how == 1:
            data = nlmsg(mtype, flags, self.seq(), payload)
            cut = self.rng.randrange(16, len(data) + 1)
            data = struct.pack('=I', cut) + data[4:cut]
        elif how == 2:
            data = nlmsg(mtype, flags, self.seq(), payload,
                         length=self.rng.choice((0, 1, 15, 16, 17, 19, 20,
                                                 2 ** 31, 2 ** 32 - 1,
                                                 16 + len(payload) + 4)))
        elif how == 3:
            # An attribute whose length runs past the message, or is < 4.
            bad = struct.pack('=HH', self.rng.choice((0, 1, 3, 5, 4096,
                                                      0xffff)),
                              self.rng.randrange(self.f.attr_max + 2))
            data = nlmsg(mtype, flags, self.seq(), payload + bad +
                         self.rng.randbytes(self.rng.randrange(8)))
        elif how == 4:
            data = bytearray(nlmsg(mtype, flags, self.seq(), payload))
            for _ in range(self.rng.randrange(1, 6)):
                i = self.rng.randrange(4, len(data))
                if 8 <= i < 12:
                    continue
                data[i] = self.rng.randrange(256)
            data = bytes(data)
        elif how == 5:
            # Several messages in one datagram.
            data = b''.join(nlmsg(mtype, flags | NLM_F_REQUEST, self.seq(),
                                  genl(self.rng.choice(list(c.values()))) +
                                  self.garbage_attr())
                            for _ in range(self.rng.randrange(2, 6)))
        elif how == 6:
            big = self.rng.choice((1 << 12, 1 << 15, 60000))
            data = nlmsg(mtype, flags, self.seq(), payload +
                         nla(self.rng.randrange(self.f.attr_max + 2),
                             self.rng.randbytes(min(big, 65000))))
        elif how == 7:
            # Attributes that are all headers, deeply nested.
            inner = b''
            for _ in range(self.rng.randrange(1, 40)):
                inner = nla(self.rng.randrange(1, 16) | NLA_F_NESTED, inner)
            data = nlmsg(mtype, flags, self.seq(), payload + inner)
        else:
            data = nlmsg(mtype, flags, self.seq(),
                         self.rng.randbytes(self.rng.randrange(0, 64)))
        self.send(data)

    def expect_eperm(self, err, allow=()):
        """Outside the initial network namespace the family is not there
        at all (ENOENT); elsewhere an unprivileged caller gets EPERM."""
        want = errno.ENOENT if self.args.no_family else errno.EPERM
        if err != want and err not in allow:
            self.violation('unprivileged request answered %s, not %s'
                           % (errno.errorcode.get(err, err)
                              if err is not None else 'nothing',
                              errno.errorcode[want]))

    # -- real VMs -----------------------------------------------------------

    def live_pick(self):
        return self.rng.choice(list(self.vms.values())) if self.vms else None

    def name_attr(self, vm):
        a = self.f.a
        if self.rng.random() < 0.5:
            return nla(a['VM_ID'], struct.pack('=I', vm['id']))
        return nla(a['VM_NAME'], vm['name'].encode('latin-1') + b'\0')

    def real_create(self):
        a = self.f.a
        fd, _, what = self.rng.choice(self.fds.images)
        attrs = [nla(a['VM_IMAGE_FD'], struct.pack('=i', fd))]
        want = {}
        if self.rng.random() < 0.8:
            want['name'] = self.new_name()
            attrs.append(nla(a['VM_NAME'], want['name'].encode() + b'\0'))
        want['mem'] = self.rng.choice((self.f.mem_min, 1 << 20,
                                       self.f.mem_default))
        attrs.append(nla(a['VM_MEM_SIZE'], struct.pack('=I', want['mem'])))
        if self.rng.random() < 0.5:
            want['mac'] = self.new_mac()
            attrs.append(nla(a['VM_MAC'], want['mac']))
        if 'sleeper' in what:
            attrs.append(nla(a['VM_CMDLINE'], b'3\0'))
        self.rng.shuffle(attrs)
        err, records = self.send(self.request(self.f.c['VM_CREATE'], attrs),
                                 {self.f.c['VM_CREATE']})
        if self.unpriv:
            self.expect_eperm(err)
            return
        if not records:
            if err not in RESOURCE_ERRNOS:
                self.violation('a valid create of %s failed with %s'
                               % (what, errno.errorcode.get(err, err)))
            return
        rec = records[0][1]
        for k, v in want.items():
            if rec.get(k) != v:
                self.violation('created VM has %s %r, not %r'
                               % (k, rec.get(k), v))

    def real_op(self):
        """Start, stop, swap out, get or destroy a VM this run created; the
        answers must fit the VM's state as far as it can be known."""
        vm = self.live_pick()
        if vm is None:
            return
        c = self.f.c
        op = self.rng.choice(('VM_START', 'VM_START', 'VM_STOP', 'VM_GET',
                              'VM_SWAP_OUT', 'VM_DESTROY', 'VM_DESTROY'))
        err, records = self.send(self.request(c[op], [self.name_attr(vm)]),
                                 {c[op]})
        if err is None and not records:
            return
        st = self.f.state
        if op == 'VM_GET':
            if err or len(records) != 1 or records[0][1]['id'] != vm['id'] \
                    or records[0][1]['name'] != vm['name']:
                self.violation('VM_GET of VM %d (%s) answered %s %s'
                               % (vm['id'], vm['name'], err, records))
            else:
                vm['state'] = records[0][1]['state']
        elif op == 'VM_DESTROY':
            if err:
                self.violation('destroy of VM %d failed with %s'
                               % (vm['id'], errno.errorcode.get(err, err)))
            else:
                self.untrack(vm['id'])
        elif op == 'VM_START':
            if vm['state'] == st['DENALI_VM_CREATED'] and err not in (
                    0, None) and err not in RESOURCE_ERRNOS:
                self.violation('start of a created VM failed with %s'
                               % errno.errorcode.get(err, err))
            if vm['state'] != st['DENALI_VM_CREATED'] and err == 0:
                self.violation('a second start of VM %d succeeded'
                               % vm['id'])
            if err == 0:
                vm['state'] = st['DENALI_VM_RUNNING']
        elif op == 'VM_STOP':
            final = {st[n] for n in ('DENALI_VM_STOPPED', 'DENALI_VM_EXITED',
                                     'DENALI_VM_CRASHED')}
            if vm['state'] in final and err == 0:
                self.violation('stop of VM %d in state %d succeeded'
                               % (vm['id'], vm['state']))
            if err == 0:
                vm['state'] = st['DENALI_VM_STOPPED']
        elif err not in (0, errno.EBUSY) and err not in RESOURCE_ERRNOS:
            self.violation('swap-out of VM %d failed with %s'
                           % (vm['id'], errno.errorcode.get(err, err)))

    def reconcile(self):
        """A dump must list exactly the VMs the replies announced, each
        once, in id order."""
        err, records = self.send(self.request(
            self.f.c['VM_GET'], [], NLM_F_REQUEST | NLM_F_DUMP),
            {self.f.c['VM_GET']})
        if self.unpriv:
            self.expect_eperm(err)
            return
        if err not in (0, None):
            self.violation('dump failed with %s' % err)
            return
        ids = [r['id'] for _, r in records]
        if ids != sorted(set(ids)):
            self.violation('dump not in id order or with repeats: %s' % ids)
        seen = set(ids) - self.preexisting
        for vid in seen - set(self.vms):
            self.violation('VM %d exists, but no reply created it' % vid)
            self.vms[vid] = [r for _, r in records if r['id'] == vid][0]
            self.created += 1
        for vid in set(self.vms) - seen:
            self.violation('VM %d (%s) vanished' % (vid,
                                                    self.vms[vid]['name']))
            self.vms.pop(vid)
        for _, r in records:
            if r['id'] in self.vms:
                self.vms[r['id']]['state'] = r['state']

    def host_get(self):
        attrs = [] if self.rng.random() < 0.7 else [self.garbage_attr()]
        err, _ = self.send(self.request(self.f.c['HOST_GET'], attrs),
                           {self.f.c['HOST_GET']})
        if self.unpriv:
            self.expect_eperm(err)

    # -- the run ------------------------------------------------------------

    def start(self):
        if not self.unpriv:
            err, records = self.send(self.request(
                self.f.c['VM_GET'], [], NLM_F_REQUEST | NLM_F_DUMP),
                {self.f.c['VM_GET']})
            self.preexisting = {r['id'] for _, r in records}
            self.pre_macs = {r.get('mac') for _, r in records}

    def step(self, i):
        r = self.rng.random()
        if self.args.reconcile and i % self.args.reconcile == 0:
            op = self.reconcile
        elif r < 0.17:
            op = self.fuzz_create
        elif r < 0.30:
            op = self.fuzz_create_one_fault
        elif r < 0.48:
            op = self.fuzz_op
        elif r < 0.53:
            op = self.fuzz_dump
        elif r < 0.75:
            op = self.fuzz_raw
        elif r < 0.77:
            op = self.host_get
        elif r < 0.85 and (len(self.vms) < self.max_live or self.unpriv):
            op = self.real_create
        else:
            op = self.real_op
        self.kind = op.__name__
        op()
        self.kind = 'cleanup'
        # A wrong success leaves VMs behind; keep their number bounded.
        while len(self.vms) > self.max_live:
            vm = self.live_pick()
            self.destroy(vm)

    def destroy(self, vm):
        err, _ = self.send(self.request(self.f.c['VM_DESTROY'],
                                        [nla(self.f.a['VM_ID'],
                                             struct.pack('=I', vm['id']))]),
                           {self.f.c['VM_DESTROY']})
        if err:
            self.violation('destroy of VM %d failed with %s'
                           % (vm['id'], errno.errorcode.get(err, err)))
            self.vms.pop(vm['id'])
        else:
            self.untrack(vm['id'])

    def finish(self):
        if not self.unpriv:
            self.reconcile()
            for vm in list(self.vms.values()):
                self.destroy(vm)
            self.reconcile()
            for vid in self.gone_ids:
                err, _ = self.send(self.request(
                    self.f.c['VM_GET'],
                    [nla(self.f.a['VM_ID'], struct.pack('=I', vid))]),
                    {self.f.c['VM_GET']})
                if err != errno.ENOENT:
                    self.violation('destroyed VM %d answers VM_GET with %s'
                                   % (vid, err))
                if self.sent > self.args.count + 600:
                    break

    def summary(self):
        errs = ', '.join('%s %d' % (errno.errorcode.get(e, 'ok'), n)
                         for e, n in sorted(self.errnos.items(),
                                            key=lambda x: -x[1]))
        print('nlfuzz: seed %d, %d requests sent, %d records received; '
              'errors: %s' % (self.args.seed, self.sent, self.replies,
                              errs or 'none'))
        print('nlfuzz: VMs created %d, destroyed %d, left %d; %d violations'
              % (self.created, self.destroyed, len(self.vms),
                 len(self.violations)))
        return 1 if self.violations else 0


def events_check(fam, groups, unpriv):
    """Join "events": root may, nobody else. Returns (socket or None,
    violation text or None)."""
    name = fam.d['DENALI_MCGRP_EVENTS']
    if name not in groups:
        return None, 'the family has no "%s" group' % name
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((0, 0))
    try:
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, groups[name])
    except OSError as e:
        s.close()
        if unpriv and e.errno == errno.EPERM:
            return None, None
        return None, 'joining "%s" failed with %s' % (name, e.strerror)
    if unpriv:
        s.close()
        return None, 'an unprivileged caller joined "%s"' % name
    # bind() with a group mask is the other way in (groups 1 to 32).
    return s, None


def check_event_content(fam, attrs, rec):
    """An event says which VM, its state and how it ended, nothing more:
    no counters, no addresses (netlink.rst)."""
    a = fam.a
    st = fam.state
    allowed = {a['VM_ID'], a['VM_NAME'], a['VM_STATE']}
    if rec['state'] == st['DENALI_VM_EXITED']:
        allowed.add(a['VM_EXIT_CODE'])
    if rec['state'] == st['DENALI_VM_CRASHED']:
        allowed.add(a['VM_CRASH_REASON'])
    extra = sorted({t for t, _, _ in attrs} - allowed)
    if extra:
        raise Violation('event of VM %d in state %d carries attributes %s'
                        % (rec['id'], rec['state'], extra))


def drain_events(sock, fz):
    """Each event must parse and name a VM; returns how many came."""
    n = 0
    sock.setblocking(False)
    while True:
        try:
            data = sock.recv(1 << 20)
        except BlockingIOError:
            break
        except OSError as e:
            if e.errno == errno.ENOBUFS:
                continue
            raise
        try:
            for mtype, _, seq, _, payload in parse_msgs(data, 'event'):
                if mtype != fz.fid or seq != 0 or \
                        payload[0] != fz.f.c['VM_EVENT']:
                    raise Violation('event of type %d, seq %d' % (mtype, seq))
                attrs = parse_attrs(payload[4:], 'event')
                rec = fz.check_vm_record(attrs, 'event', full=False)
                check_event_content(fz.f, attrs, rec)
                n += 1
        except Violation as v:
            fz.current = None
            fz.violation(str(v))
    return n


def bind_mask_check(groups, fam):
    """Joining by the bind() group mask must be refused as well."""
    gid = groups.get(fam.d['DENALI_MCGRP_EVENTS'])
    if gid is None or not 1 <= gid <= 32:
        return None
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    try:
        s.bind((0, 1 << (gid - 1)))
    except OSError as e:
        if e.errno == errno.EPERM:
            return None
        return 'bind() to the events group failed with %s' % e.strerror
    finally:
        s.close()
    return 'an unprivileged caller joined the events group through bind()'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--seed', type=int, default=None)
    p.add_argument('--count', type=int, default=2000,
                   help='requests to send (default 2000)')
    p.add_argument('--unpriv', action='store_true',
                   help='expect EPERM for everything')
    p.add_argument('--target', metavar='ID:NAME',
                   help='a VM root made, for --unpriv requests to aim at')
    p.add_argument('--family-id', type=int,
                   help='use this id when the family cannot be resolved '
                   '(another network namespace)')
    p.add_argument('--no-family', action='store_true',
                   help='expect the family not to resolve (ENOENT), as in '
                   'a network namespace other than the initial one')
    p.add_argument('--print-family-id', action='store_true',
                   help='print the family id and exit')
    p.add_argument('--max-vms', type=int, default=6,
                   help='VMs alive at once (default 6)')
    p.add_argument('--reconcile', type=int, default=100,
                   help='dump and compare every N requests (default 100)')
    p.add_argument('--hang-s', type=int, default=60,
                   help='seconds one request may take (default 60)')
    p.add_argument('--max-violations', type=int, default=50)
    p.add_argument('--log', help='write each request, its errno and the '
                   'VMs in its reply to this file')
    p.add_argument('--header', default=os.path.join(REPO, 'uapi', 'linux',
                                                    'denali.h'))
    p.add_argument('--images', nargs='+', default=[
        os.path.join(REPO, 'guest-sdk', 'examples', n)
        for n in ('hello.elf', 'sleeper.elf', 'idle.elf')])
    args = p.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), 'little')
    if args.target:
        tid, tname = args.target.split(':', 1)
        args.target = (int(tid), tname)
    fam = Family(args.header)
    if not args.print_family_id:
        print('nlfuzz: seed %d, %d requests%s (reproduce with --seed %d '
              '--count %d)' % (args.seed, args.count,
                               ', unprivileged' if args.unpriv else '',
                               args.seed, args.count), flush=True)

    def on_alarm(signum, frame):
        raise Hang('a request took more than %ds' % args.hang_s)
    signal.signal(signal.SIGALRM, on_alarm)

    conn = Conn(args.hang_s)
    violations = []
    groups = {}
    try:
        fid, groups = resolve(conn, fam.d['DENALI_GENL_NAME'])
        if args.no_family:
            violations.append('the family resolved (id %d) where it must '
                              'not' % fid)
    except OSError as e:
        if not args.no_family or e.errno != errno.ENOENT:
            print('nlfuzz: cannot resolve the family: %s' % e)
            return 2
        if args.family_id is None:
            print('nlfuzz: the family does not resolve here, as expected')
            return 0
        fid = args.family_id
    if args.print_family_id:
        print(fid)
        return 0
    fz = Fuzzer(args, fam, conn, fid)
    for v in violations:
        fz.violation(v)
    events = None
    if groups:
        events, v = events_check(fam, groups, args.unpriv)
        if v:
            fz.violation(v)
        if args.unpriv:
            v = bind_mask_check(groups, fam)
            if v:
                fz.violation(v)
    nevents = 0
    try:
        fz.start()
        i = 0
        while fz.sent < args.count:
            i += 1
            fz.step(i)
            if events and i % 50 == 0:
                nevents += drain_events(events, fz)
        fz.finish()
    except Hang as h:
        idx, data = fz.current or (None, b'')
        print('nlfuzz: HANG at request %s (seed %d): %s\n  request: %s'
              % (idx, args.seed, h, data.hex()), flush=True)
        fz.summary()
        return 3
    finally:
        fz.fds.close()
    if events:
        time.sleep(0.2)
        nevents += drain_events(events, fz)
        print('nlfuzz: %d events received' % nevents)
        if fz.created and not nevents:
            fz.current = None
            fz.violation('VMs were created, but no event came')
    return fz.summary()


if __name__ == '__main__':
    sys.exit(main())

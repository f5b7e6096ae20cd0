#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compares Documentation/netlink/specs/denali.yaml with what the loaded
module reports through the generic netlink controller: CTRL_CMD_GETFAMILY
(the ops, their flags, the multicast groups, the largest attribute) and
CTRL_CMD_GETPOLICY (each op's request attributes, their types and limits).
Prints each difference and exits 1 when there is any, 0 otherwise.

Linux 6.1 reports one policy per op for do and dump alike: a dump whose
spec lists no request attributes may show the do's policy.
"""

import os
import socket
import struct
import sys

import yaml

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_MASK = 0x3fff

CTRL_CMD_GETFAMILY, CTRL_CMD_GETPOLICY = 3, 10
(CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION,
 CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR, CTRL_ATTR_OPS,
 CTRL_ATTR_MCAST_GROUPS, CTRL_ATTR_POLICY, CTRL_ATTR_OP_POLICY) = range(1, 10)
CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS = 1, 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_POLICY_DO, CTRL_ATTR_POLICY_DUMP = 1, 2

GENL_ADMIN_PERM, GENL_CMD_CAP_DO, GENL_CMD_CAP_DUMP, GENL_CMD_CAP_HASPOL, \
    GENL_UNS_ADMIN_PERM = 0x1, 0x2, 0x4, 0x8, 0x10
FLAG_NAMES = {'admin-perm': GENL_ADMIN_PERM,
              'uns-admin-perm': GENL_UNS_ADMIN_PERM}

# enum netlink_policy_type_attr and enum netlink_attribute_type
POLICY_PROPS = {1: 'type', 2: 'min', 3: 'max', 4: 'min', 5: 'max',
                6: 'min-len', 7: 'max-len'}
SIGNED_PROPS = (2, 3)
NL_TYPES = {1: 'flag', 2: 'u8', 3: 'u16', 4: 'u32', 5: 'u64', 6: 's8',
            7: 's16', 8: 's32', 9: 's64', 10: 'binary', 11: 'string',
            12: 'nul-string', 13: 'nest', 14: 'nest-array'}


def attrs(buf):
    """{type: payload} of the attributes in buf."""
    out = {}
    while len(buf) >= 4:
        length, atype = struct.unpack_from('=HH', buf)
        if length < 4:
            break
        out[atype & NLA_F_MASK] = buf[4:length]
        buf = buf[(length + 3) & ~3:]
    return out


def u(payload):
    return int.from_bytes(payload, sys.byteorder)


def request(sock, cmd, payload, flags):
    """The genetlink payloads of the controller's answers to one request."""
    seq = request.seq = getattr(request, 'seq', 0) + 1
    body = struct.pack('=BBH', cmd, 1, 0) + payload
    sock.send(struct.pack('=IHHII', 16 + len(body), GENL_ID_CTRL,
                          NLM_F_REQUEST | flags, seq, 0) + body)
    out = []
    while True:
        data = sock.recv(1 << 20)
        while len(data) >= 16:
            length, mtype, _, mseq, _ = struct.unpack_from('=IHHII', data)
            msg, data = data[16:length], data[(length + 3) & ~3:]
            if mseq != seq:
                continue
            if mtype == NLMSG_DONE:
                return out
            if mtype == NLMSG_ERROR:
                err = struct.unpack_from('=i', msg)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return out
            out.append(msg[4:])
            if not flags & NLM_F_DUMP:
                return out


def nla(atype, payload):
    return struct.pack('=HH', 4 + len(payload), atype) + payload + \
        b'\0' * (-len(payload) % 4)


def kernel_view(family):
    """What nlctrl says of the family: (info, {policy idx: {attr: props}},
    {cmd: {'do': idx, 'dump': idx}})."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.bind((0, 0))
    fam = attrs(request(sock, CTRL_CMD_GETFAMILY,
                        nla(CTRL_ATTR_FAMILY_NAME, family.encode() + b'\0'),
                        0)[0])
    info = {'id': u(fam[CTRL_ATTR_FAMILY_ID]),
            'maxattr': u(fam[CTRL_ATTR_MAXATTR]), 'ops': {}, 'mcgrps': []}
    for op in attrs(fam.get(CTRL_ATTR_OPS, b'')).values():
        op = attrs(op)
        info['ops'][u(op[CTRL_ATTR_OP_ID])] = u(op[CTRL_ATTR_OP_FLAGS])
    for grp in attrs(fam.get(CTRL_ATTR_MCAST_GROUPS, b'')).values():
        info['mcgrps'].append(
            attrs(grp)[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b'\0').decode())
    policies, op_policies = {}, {}
    for msg in request(sock, CTRL_CMD_GETPOLICY,
                       nla(CTRL_ATTR_FAMILY_ID,
                           struct.pack('=H', info['id'])), NLM_F_DUMP):
        top = attrs(msg)
        for cmd, which in attrs(top.get(CTRL_ATTR_OP_POLICY, b'')).items():
            which = attrs(which)
            op_policies[cmd] = {
                k: u(which[v]) for k, v in (('do', CTRL_ATTR_POLICY_DO),
                                            ('dump', CTRL_ATTR_POLICY_DUMP))
                if v in which}
        for idx, pol in attrs(top.get(CTRL_ATTR_POLICY, b'')).items():
            for atype, props in attrs(pol).items():
                got = {}
                for p, v in attrs(props).items():
                    if p not in POLICY_PROPS:
                        continue
                    if p in SIGNED_PROPS:
                        v = int.from_bytes(v, sys.byteorder, signed=True)
                    else:
                        v = u(v)
                    got[POLICY_PROPS[p]] = NL_TYPES.get(v, v) \
                        if p == 1 else v
                policies.setdefault(idx, {})[atype] = got
    sock.close()
    return info, policies, op_policies


def expected_policy(attr):
    """What the policy dump shows for an attribute of the spec."""
    checks = attr.get('checks', {})
    t = attr['type']
    if t in ('u8', 'u16', 'u32', 'u64'):
        bits = int(t[1:])
        return {'type': t, 'min': checks.get('min', 0),
                'max': checks.get('max', (1 << bits) - 1)}
    if t in ('s8', 's16', 's32', 's64'):
        bits = int(t[1:])
        return {'type': t, 'min': checks.get('min', -(1 << (bits - 1))),
                'max': checks.get('max', (1 << (bits - 1)) - 1)}
    if t in ('string', 'binary'):
        # genetlink-c strings are NUL-terminated.
        out = {'type': 'nul-string' if t == 'string' else t}
        if 'exact-len' in checks:
            out['min-len'] = out['max-len'] = checks['exact-len']
        if 'min-len' in checks:
            out['min-len'] = checks['min-len']
        if 'max-len' in checks:
            out['max-len'] = checks['max-len']
        return out
    return {'type': t}


def compare(spec, info, policies, op_policies):
    diffs = []
    sets = {s['name']: s for s in spec['attribute-sets']}
    vm_set = sets['vm']['attributes']
    numbers = {a['name']: i + 1 for i, a in enumerate(vm_set)}
    by_name = {a['name']: a for a in vm_set}
    if info['maxattr'] != len(vm_set):
        diffs.append('maxattr: kernel %d, spec %d'
                     % (info['maxattr'], len(vm_set)))

    want_groups = sorted(g['name'] for g in spec['mcast-groups']['list'])
    if sorted(info['mcgrps']) != want_groups:
        diffs.append('multicast groups: kernel %s, spec %s'
                     % (sorted(info['mcgrps']), want_groups))

    spec_ops = set()
    for cmd, op in enumerate(spec['operations']['list'], 1):
        name = op['name']
        if 'do' not in op and 'dump' not in op:
            if cmd in info['ops']:
                diffs.append('%s: an event in the spec, an op in the kernel'
                             % name)
            continue
        spec_ops.add(cmd)
        if cmd not in info['ops']:
            diffs.append('%s (%d): in the spec, not in the kernel'
                         % (name, cmd))
            continue
        want = 0
        for f in op.get('flags', []):
            want |= FLAG_NAMES[f]
        if 'do' in op:
            want |= GENL_CMD_CAP_DO
        if 'dump' in op:
            want |= GENL_CMD_CAP_DUMP
        got = info['ops'][cmd] & ~GENL_CMD_CAP_HASPOL
        if got != want:
            diffs.append('%s: flags kernel %#x, spec %#x' % (name, got, want))

        idx = op_policies.get(cmd, {})
        for kind in ('do', 'dump'):
            if kind not in op:
                continue
            req = op[kind].get('request', {}).get('attributes', [])
            if kind not in idx:
                if req:
                    diffs.append('%s %s: the kernel shows no policy'
                                 % (name, kind))
                continue
            if kind == 'dump' and not req and idx.get('do') == idx['dump']:
                continue
            got_pol = policies.get(idx[kind], {})
            want_pol = {numbers[a]: expected_policy(by_name[a]) for a in req}
            for a in sorted(set(got_pol) | set(want_pol)):
                aname = vm_set[a - 1]['name'] if 0 < a <= len(vm_set) \
                    else 'attribute %d' % a
                if got_pol.get(a) != want_pol.get(a):
                    diffs.append('%s %s request %s: kernel %s, spec %s'
                                 % (name, kind, aname, got_pol.get(a),
                                    want_pol.get(a)))
    for cmd in sorted(set(info['ops']) - spec_ops):
        diffs.append('op %d: in the kernel, not in the spec' % cmd)
    return diffs


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), '..', '..', 'Documentation', 'netlink',
        'specs', 'denali.yaml')
    with open(path) as f:
        spec = yaml.safe_load(f)
    info, policies, op_policies = kernel_view(spec['name'])
    diffs = compare(spec, info, policies, op_policies)
    for d in diffs:
        print(d)
    print('%d ops, %d policies checked, %d differences'
          % (len(info['ops']), len(policies), len(diffs)))
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())

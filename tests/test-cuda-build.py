#!/usr/bin/env python3
# The CUDA build: the plugin links no CUDA library (gstreamer-cuda-1.0 loads the driver
# at run time, so the plugin loads where there is none), and the embedded fatbin holds
# SASS for every GPU generation we support plus PTX for later ones.
# Usage: test-cuda-build.py PLUGIN FATBIN NVCC
#        test-cuda-build.py --skip REASON          (a build without CUDA)
# Exit status: 0 passed, 1 failed, 77 skipped.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import struct
import subprocess
import sys
import tempfile

SASS_ARCHS = {75, 80, 86, 89, 90, 100, 120}
PTX_ARCHS = {120}

FATBIN_MAGIC = 0xBA55ED50
KIND_PTX = 1
KIND_SASS = 2


def parse_fatbin(data):
    """(kind, arch) of every entry of the fatbin containers in data.

    Container header: magic u32, version u16, header size u16, size of the entries
    that follow u64. Entry header: kind u16, version u16, header size u32, payload
    size u64, ..., arch (sm number) u32 at offset 28. Payloads may be compressed,
    headers never are."""
    entries = []
    offset = 0
    while offset + 16 <= len(data):
        magic, _, header_size, fat_size = struct.unpack_from('<IHHQ', data, offset)
        if magic != FATBIN_MAGIC:
            if any(data[offset:]):
                raise ValueError('no fatbin header at offset %d' % offset)
            break  # zero padding after the last container
        entry = offset + header_size
        end = entry + fat_size
        if end > len(data):
            raise ValueError('container at offset %d runs past the end' % offset)
        while entry < end:
            kind, _, entry_header, payload = struct.unpack_from('<HHIQ', data, entry)
            (arch,) = struct.unpack_from('<I', data, entry + 28)
            if entry_header < 32 or entry + entry_header + payload > end:
                raise ValueError('bad entry header at offset %d' % entry)
            entries.append((kind, arch))
            entry += entry_header + payload
        offset = end
    return entries


def describe(entries):
    names = {KIND_PTX: 'compute_%d (PTX)', KIND_SASS: 'sm_%d (SASS)'}
    return ', '.join(names.get(kind, 'kind %d arch %%d' % kind) % arch
                     for kind, arch in entries) or 'nothing'


def archs(entries, kind):
    return {arch for k, arch in entries if k == kind}


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what, why=''):
        if ok:
            print('ok - ' + what)
        else:
            self.failed += 1
            print('FAIL - %s: %s' % (what, why))


def check_links(checks, plugin):
    ldd = subprocess.run(['ldd', plugin], capture_output=True, text=True)
    if ldd.returncode != 0:
        checks.check(False, 'ldd of the plugin', ldd.stderr.strip())
        return
    cuda = [line.strip() for line in ldd.stdout.splitlines()
            if re.match(r'\s*libcuda(rt)?\b', line)]
    checks.check(not cuda, 'the plugin links neither libcuda nor libcudart',
              '; '.join(cuda))


def check_parser(checks, nvcc, tmp):
    """The layout parse_fatbin assumes, checked against what this nvcc writes."""
    source = os.path.join(tmp, 'probe.cu')
    fatbin = os.path.join(tmp, 'probe.fatbin')
    with open(source, 'w') as f:
        f.write('extern "C" __global__ void probe (int *p) { p[threadIdx.x] = 1; }\n')
    nvcc_run = subprocess.run([nvcc, '-fatbin', '-gencode', 'arch=compute_75,code=sm_75',
                               '-gencode', 'arch=compute_80,code=compute_80',
                               '-o', fatbin, source], capture_output=True, text=True)
    if nvcc_run.returncode != 0:
        checks.check(False, 'nvcc builds a probe fatbin', nvcc_run.stderr.strip())
        return False
    with open(fatbin, 'rb') as f:
        entries = parse_fatbin(f.read())
    ok = sorted(entries) == [(KIND_PTX, 80), (KIND_SASS, 75)]
    checks.check(ok, 'the fatbin parser reads an sm_75 + compute_80 probe as such',
              'read ' + describe(entries))
    return ok


def check_fatbin(checks, fatbin):
    with open(fatbin, 'rb') as f:
        data = f.read()
    try:
        entries = parse_fatbin(data)
    except (ValueError, struct.error) as e:
        checks.check(False, 'the kernels\' fatbin parses', str(e))
        return
    print('# %s (%d bytes): %s' % (os.path.basename(fatbin), len(data), describe(entries)))
    missing_sass = SASS_ARCHS - archs(entries, KIND_SASS)
    missing_ptx = PTX_ARCHS - archs(entries, KIND_PTX)
    checks.check(not missing_sass, 'the fatbin has SASS for sm_' +
              ', sm_'.join(str(a) for a in sorted(SASS_ARCHS)),
              'no SASS for ' + ', '.join('sm_%d' % a for a in sorted(missing_sass)))
    checks.check(not missing_ptx, 'the fatbin has PTX for compute_' +
              ', compute_'.join(str(a) for a in sorted(PTX_ARCHS)),
              'no PTX for ' + ', '.join('compute_%d' % a for a in sorted(missing_ptx)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--skip':
        print('SKIP: ' + sys.argv[2])
        return 77
    if len(sys.argv) != 4:
        print('usage: test-cuda-build.py PLUGIN FATBIN NVCC | --skip REASON', file=sys.stderr)
        return 1
    plugin, fatbin, nvcc = sys.argv[1:]
    checks = Checks()
    check_links(checks, plugin)
    with tempfile.TemporaryDirectory() as tmp:
        parser_ok = check_parser(checks, nvcc, tmp)
    if parser_ok:
        check_fatbin(checks, fatbin)
    return 1 if checks.failed else 0


if __name__ == '__main__':
    sys.exit(main())

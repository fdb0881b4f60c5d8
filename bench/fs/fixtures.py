#!/usr/bin/env python3
"""Fixture files for the fs benchmark (see run.sh); no Uringy involved.

Layout under DIR, every file named f00000, f00001, …:

    read/small/   N_SMALL files of 1 KiB    read by read-small, stat-ed by stat, listed by readdir
    read/medium/  N_MEDIUM files of 1 MiB   read by read-medium
    read/big/     one file of 1 GiB         read by read-big (absent with SKIP_BIG=1)
    write/SHAPE/  where write programs write files 0 … N-1, and write/SHAPE-warm/ their warm-up
                  files; prepare_write() readies them before every write program: emptied
                  (WRITE_MODE=fresh) or holding every file at its full size (overwrite)

File i of a shape is filled with the byte (i % 251) + 1, so a program's check (the sum of the
first and last byte of every file it read) tells that each file was read whole.

Usage on its own: python3 fixtures.py DIR [N_SMALL N_MEDIUM SKIP_BIG] — the read set plus the
write targets (as WRITE_MODE=overwrite), to run a program by hand.
"""
import os
import shutil
import sys

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
SIZES = {"small": KIB, "medium": MIB, "big": GIB}


def name(i):
    return f"f{i:05d}"


def fill(i):
    return i % 251 + 1


def expected_check(count):
    """What a program reports as `check` after reading files 0 … count-1 of a shape."""
    return sum(2 * fill(i) for i in range(count))


def create(root, counts):
    """Writes the read set (counts: shape -> number of files), then reads it all back once so
    the page cache is warm. Returns the bytes written."""
    total = 0
    for shape, count in counts.items():
        size = SIZES[shape]
        d = os.path.join(root, "read", shape)
        os.makedirs(d, exist_ok=True)
        for i in range(count):
            write_file(os.path.join(d, name(i)), size, fill(i))
            total += size
    warm(root, counts)
    return total


def warm(root, counts):
    """Reads every file of the read set once (page cache warm)."""
    for shape, count in counts.items():
        d = os.path.join(root, "read", shape)
        for i in range(count):
            with open(os.path.join(d, name(i)), "rb") as f:
                while f.read(16 * MIB):
                    pass


def warm_count(count):
    """How many files a program writes (or reads) as its warm-up: a tenth, none below 10."""
    return -(-count // 10) if count >= 10 else 0


def write_file(path, size, byte):
    chunk = bytes([byte]) * min(size, 4 * MIB)
    with open(path, "wb") as f:
        left = size
        while left:
            f.write(chunk[:left])
            left -= min(left, len(chunk))


def prepare_write(root, shape, count, fresh):
    """Readies write/SHAPE and write/SHAPE-warm for a write program. fresh: both emptied, so
    every file is created. Otherwise (overwrite): every file the program will write exists
    with its full size (left by the previous run, or made here after a failed one), so every
    program finds the same files. Returns the number of files made here."""
    size = SIZES[shape]
    made = 0
    for d, n in ((shape, count), (shape + "-warm", warm_count(count))):
        d = os.path.join(root, "write", d)
        if fresh:
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            continue
        os.makedirs(d, exist_ok=True)
        for i in range(n):
            p = os.path.join(d, name(i))
            try:
                ok = os.stat(p).st_size == size
            except FileNotFoundError:
                ok = False
            if not ok:
                write_file(p, size, 0xFF)
                made += 1
    return made


def check_written(root, shape, count, tag):
    """After a write program: that files 0 … count-1 exist with the right size and their first
    and last bytes are `tag`. Returns None when all is well, else what is wrong."""
    size = SIZES[shape]
    d = os.path.join(root, "write", shape)
    for i in range(count):
        p = os.path.join(d, name(i))
        try:
            with open(p, "rb") as f:
                st = os.fstat(f.fileno())
                if st.st_size != size:
                    return f"{p}: {st.st_size} bytes, expected {size}"
                first = f.read(1)
                f.seek(size - 1)
                last = f.read(1)
        except OSError as e:
            return f"{p}: {e}"
        if first != bytes([tag]) or last != bytes([tag]):
            return f"{p}: first/last byte {first!r}/{last!r}, expected {tag}"
    return None


if __name__ == "__main__":
    root = sys.argv[1]
    n_small = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    n_medium = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    skip_big = len(sys.argv) > 4 and sys.argv[4] == "1"
    counts = {"small": n_small, "medium": n_medium}
    if not skip_big:
        counts["big"] = 1
    total = create(root, counts)
    for shape, count in counts.items():
        total += prepare_write(root, shape, count, False) * SIZES[shape]
    print(f"{total:,} bytes written under {root} (read set, and write targets to overwrite)")

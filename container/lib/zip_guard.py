"""Inspect a zip archive completely, then extract it only if every entry is safe.

Usage: python3 zip_guard.py ARCHIVE TARGET_DIR MAX_BYTES MAX_FILES

Refused before anything is written (exit 65, one reason on stderr):
  - not a zip, encrypted entries, duplicate names
  - names that are absolute, carry a drive letter, a backslash, a control character, or a ".."
    component; names that pass through a symlink entry
  - entry types other than regular file, directory and symlink (devices, fifos, sockets)
  - symlinks whose target is absolute or leaves TARGET_DIR
  - more than MAX_FILES entries, or more than MAX_BYTES declared uncompressed bytes
During extraction (exit 65, TARGET_DIR emptied again): more bytes than declared (a lying header),
a CRC mismatch, or, once every entry exists, a symlink that resolves outside TARGET_DIR (whatever
the order of the entries).
Entries whose Unix attributes carry no file-type bits, or that carry only DOS attributes, are
directories when their name ends with "/" and regular files otherwise.
Files are created with O_EXCL|O_NOFOLLOW, modes 0644/0755 only (no setuid/setgid/sticky);
symlinks are created last, so nothing is ever written through one.
On success prints "files=N bytes=M" on stdout. Exit 64 on bad usage.
Only the Python standard library is used (python3 ships with Amazon Linux 2023).
"""

import os
import posixpath
import shutil
import stat
import sys
import zipfile

EX_USAGE = 64
EX_DATAERR = 65
CHUNK = 1 << 16
MAX_LINK_TARGET = 4096


class Refused(Exception):
    pass


def entry_type(info):
    """The entry's kind and Unix mode. Unix attributes decide when they carry file-type bits;
    entries without them (Python's zipfile writes a bare 0600, DOS/Windows writers only DOS
    attributes) are directories when the name ends with "/", regular files otherwise."""
    mode = (info.external_attr >> 16) & 0xFFFF
    if info.create_system == 3 and stat.S_IFMT(mode):
        if stat.S_ISLNK(mode):
            return "symlink", mode
        if stat.S_ISDIR(mode):
            return "dir", mode
        if stat.S_ISREG(mode):
            return ("dir" if info.filename.endswith("/") else "file"), mode
        raise Refused("entry %r has an unsupported type (mode %o)" % (info.filename, mode))
    perm = stat.S_IMODE(mode) if info.create_system == 3 else 0
    return ("dir" if info.filename.endswith("/") else "file"), perm


def check_name(name):
    if not name or name in ("/", "./"):
        raise Refused("entry with an empty name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise Refused("entry name with a control character: %r" % name)
    if "\\" in name:
        raise Refused("entry name with a backslash: %r" % name)
    if name.startswith("/"):
        raise Refused("absolute entry path: %r" % name)
    if len(name) >= 2 and name[1] == ":":
        raise Refused("entry path with a drive letter: %r" % name)
    parts = [p for p in name.rstrip("/").split("/")]
    if any(p == ".." for p in parts):
        raise Refused("entry path escapes the target: %r" % name)
    clean = [p for p in parts if p not in ("", ".")]
    if not clean:
        raise Refused("entry with an empty name: %r" % name)
    return "/".join(clean)


def inside(root, path):
    return path == root or path.startswith(root + os.sep)


def inspect(zf, max_bytes, max_files):
    infos = zf.infolist()
    if len(infos) > max_files:
        raise Refused("archive has %d entries, limit is %d (ATX_ZIP_MAX_FILES)" % (len(infos), max_files))
    total = 0
    entries = []
    seen = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused("encrypted entry: %r" % info.filename)
        rel = check_name(info.filename)
        kind, mode = entry_type(info)
        if rel in seen:
            raise Refused("duplicate entry: %r" % info.filename)
        seen.add(rel)
        total += info.file_size
        if total > max_bytes:
            raise Refused("archive expands to more than %d bytes (ATX_ZIP_MAX_BYTES)" % max_bytes)
        target = None
        if kind == "symlink":
            if info.file_size > MAX_LINK_TARGET:
                raise Refused("symlink target too long: %r" % info.filename)
            raw = zf.read(info)
            try:
                target = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused("symlink target is not UTF-8: %r" % info.filename)
            if not target or "\x00" in target or target.startswith("/"):
                raise Refused("symlink %r points to an absolute or empty path" % info.filename)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if resolved == ".." or resolved.startswith("../"):
                raise Refused("symlink %r points outside the target: %r" % (info.filename, target))
        entries.append((info, rel, kind, mode, target))
    links = {rel for (_, rel, kind, _, _) in entries if kind == "symlink"}
    for _, rel, _, _, _ in entries:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in links:
                raise Refused("entry %r passes through a symlink" % rel)
    return entries, total


def extract(zf, entries, root, max_bytes):
    written = 0
    files = 0
    for info, rel, kind, mode, _ in entries:
        path = os.path.join(root, *rel.split("/"))
        if kind == "dir":
            os.makedirs(path, mode=0o755, exist_ok=True)
            continue
        if kind == "symlink":
            continue
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        perm = 0o755 if mode & 0o111 else 0o644
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, perm)
        declared = info.file_size
        count = 0
        with os.fdopen(fd, "wb") as out, zf.open(info) as src:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                count += len(chunk)
                written += len(chunk)
                if count > declared or written > max_bytes:
                    raise Refused("entry %r expands past its declared size" % info.filename)
                out.write(chunk)
        os.chmod(path, perm)
        files += 1
    for info, rel, kind, _, target in entries:
        if kind != "symlink":
            continue
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        os.symlink(target, path)
        files += 1
    check_links(root)
    return files, written


def check_links(root):
    """Resolves every symlink under root once the whole tree exists: a link can be harmless when
    created and point outside later, through links or directories that came after it."""
    for top, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(top, name)
            if os.path.islink(path) and not inside(root, os.path.realpath(path)):
                raise Refused("symlink %r resolves outside the target" % os.path.relpath(path, root))


def empty_dir(root):
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def main(argv):
    if len(argv) != 5:
        print("usage: zip_guard.py ARCHIVE TARGET_DIR MAX_BYTES MAX_FILES", file=sys.stderr)
        return EX_USAGE
    archive, target = argv[1], argv[2]
    try:
        max_bytes, max_files = int(argv[3]), int(argv[4])
    except ValueError:
        print("limits must be integers", file=sys.stderr)
        return EX_USAGE
    if not os.path.isdir(target) or os.listdir(target):
        print("target must be an existing empty directory", file=sys.stderr)
        return EX_USAGE
    root = os.path.realpath(target)
    try:
        with zipfile.ZipFile(archive) as zf:
            entries, _ = inspect(zf, max_bytes, max_files)
            try:
                files, written = extract(zf, entries, root, max_bytes)
            except BaseException:
                empty_dir(root)
                raise
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EX_DATAERR
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        print("invalid zip archive: %s" % exc, file=sys.stderr)
        return EX_DATAERR
    print("files=%d bytes=%d" % (files, written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

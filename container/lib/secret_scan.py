"""Secret detection for what leaves the job, with detect-secrets (every plugin, default filters).

Usage:
  secret_scan.py hold-back DIR   every regular file under DIR with a finding is deleted
  secret_scan.py redact DIR      every detected secret value in the files under DIR becomes ***
  secret_scan.py check DIR       the files named on stdin (NUL-separated, relative to DIR) are
                                 scanned and left as they are (the API client's --dir upload)
  secret_scan.py redact-lines    stdin to stdout, line by line, detected values replaced by ***
For the DIR modes, one JSON line per file with a finding goes to stdout:
  {"path": "<relative path>", "action": "held back" | "redacted" | "found", "types": ["<kind>", ...]}
Values are never printed. Symbolic links are never followed. Files that are not text (the
detector skips what does not decode) are not scanned.
Redaction reads each line as a JSON object when it is one and scans every string in it (so the
JSON stays valid); other lines are scanned whole.
Exit: 0 done, with or without findings; 64 bad usage; 70 the detector is missing or failed.
"""

import json
import os
import sys

EX_USAGE = 64
EX_SOFTWARE = 70
MASK = "***"
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-")

try:
    from detect_secrets.core.scan import _process_line_based_plugins, scan_file
    from detect_secrets.settings import default_settings, get_plugins
except ImportError as exc:  # pragma: no cover - exercised by the "scanner missing" test
    print("detect-secrets is not installed for %s: %s" % (sys.executable, exc), file=sys.stderr)
    sys.exit(EX_SOFTWARE)


def regular_files(root):
    for top, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


def redact_text(text, kinds):
    """text with every secret detect-secrets finds in it replaced; kinds collects their types.
    A regex plugin reports only its pattern's first group (the "ghp" of a GitHub token), so the
    whole match of the plugin's pattern around each reported value is masked."""
    spans = []
    # The per-line scan that scan_file runs (not the eager ad-hoc one, which flags plain words).
    for secret in _process_line_based_plugins([(1, text)], filename="job.log"):
        value = secret.secret_value
        if not value:
            continue
        kinds.add(secret.type)
        spans.extend(value_spans(text, value))
        for regex in patterns_of(secret.type):
            spans.extend(m.span() for m in regex.finditer(text) if value in m.group(0))
    return mask_spans(text, spans)


def value_spans(text, value):
    start = text.find(value)
    while start >= 0:
        yield start, start + len(value)
        start = text.find(value, start + 1)


def patterns_of(kind):
    for plugin in get_plugins():
        if getattr(plugin, "secret_type", None) == kind:
            return getattr(plugin, "denylist", ())
    return ()


def mask_spans(text, spans):
    """text with each run of overlapping spans replaced by one MASK. A span is first stretched
    to the end of the token it ends in: some patterns stop short (a JWT without its signature)."""
    out = []
    pos = 0
    for start, end in sorted(spans):
        while end < len(text) and text[end] in TOKEN_CHARS:
            end += 1
        if start > pos or not out:
            out.append(text[pos:start])
            out.append(MASK)
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def redact_json(value, kinds):
    if isinstance(value, str):
        return redact_text(value, kinds)
    if isinstance(value, list):
        return [redact_json(v, kinds) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v, kinds) for k, v in value.items()}
    return value


def redact_line(line, kinds):
    body = line.rstrip("\n")
    end = line[len(body):]
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        found = set()
        redacted = redact_json(parsed, found)
        if not found:
            return line
        kinds.update(found)
        return json.dumps(redacted, ensure_ascii=False, separators=(",", ":")) + end
    return redact_text(body, kinds) + end


def redact_file(path):
    kinds = set()
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as src:
        lines = [redact_line(line, kinds) for line in src]
    if kinds:
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
            out.writelines(lines)
    return kinds


def listed_files(root, stream):
    base = os.path.realpath(root) + os.sep
    for rel in stream.read().split("\0"):
        path = os.path.join(root, rel)
        if rel and os.path.isfile(path) and not os.path.islink(path) and os.path.realpath(path).startswith(base):
            yield path


def scan_dir(root, action, paths):
    for path in paths:
        if action == "redacted":
            kinds = redact_file(path)
        else:
            kinds = {s.type for s in scan_file(path)}
            if kinds and action == "held back":
                os.unlink(path)
        if kinds:
            rel = os.path.relpath(path, root)
            print(json.dumps({"path": rel, "action": action, "types": sorted(kinds)}), flush=True)


def redact_stream(src, out):
    for line in src:
        out.write(redact_line(line, set()))
        out.flush()


def main(argv):
    modes = {"hold-back": 3, "redact": 3, "check": 3, "redact-lines": 2}
    actions = {"hold-back": "held back", "redact": "redacted", "check": "found"}
    if len(argv) < 2 or modes.get(argv[1]) != len(argv):
        print("usage: secret_scan.py hold-back DIR | redact DIR | check DIR | redact-lines", file=sys.stderr)
        return EX_USAGE
    if argv[1] != "redact-lines" and not os.path.isdir(argv[2]):
        print("not a directory: %s" % argv[2], file=sys.stderr)
        return EX_USAGE
    try:
        with default_settings():
            if argv[1] == "redact-lines":
                redact_stream(sys.stdin, sys.stdout)
            else:
                root = argv[2]
                paths = listed_files(root, sys.stdin) if argv[1] == "check" else regular_files(root)
                scan_dir(root, actions[argv[1]], paths)
    except Exception as exc:  # the caller must not upload what could not be scanned
        print("secret scan failed: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)
        return EX_SOFTWARE
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Builds the man pages sellertrustd(8) and sellertrustd.properties(5).

Usage: scripts/manpages.py SELLERTRUSTD PROPERTIES TEMPLATE_DIR OUTPUT_DIR

Each page is its template (docs/man/*.in, the prose) with the parts that
exist elsewhere filled in, so that nothing is written twice:
  sellertrustd.8             @OPTIONS@ from `SELLERTRUSTD --help`
  sellertrustd.properties.5  @KEYS@ from PROPERTIES, the annotated
                             etc/sellertrustd.properties
and @VERSION@, @DATE@ (SOURCE_DATE_EPOCH when set, for reproducible
builds). Writes OUTPUT_DIR/<page> (roff); fails on anything it cannot
parse."""

import datetime
import os
import re
import subprocess
import sys


def roff(text):
    """Plain text as roff: backslashes, hyphens and leading dots or quotes
    escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def help_options(binary):
    """(synopsis, description) per option of `binary --help`, in order. Poco
    prints an option at column 0 and wraps its description into an indented
    column."""
    out = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    options = []
    for line in out.splitlines():
        if line.startswith("-"):
            m = re.match(r"(\S.*?)\s{2,}(\S.*)$", line)
            if not m:
                sys.exit(f"manpages.py: cannot read the option line {line!r}")
            options.append([m.group(1), m.group(2).strip()])
        elif options and line.startswith(" ") and line.strip():
            options[-1][1] += " " + line.strip()
    if not options:
        sys.exit(f"manpages.py: no options in the output of {binary} --help")
    return options


def options_roff(options):
    out = []
    for synopsis, description in options:
        names = ", ".join(f"\\fB{roff(name.strip())}\\fR" for name in synopsis.split(","))
        description = description[0].upper() + description[1:]
        out += [".TP", names, roff(description if description.endswith(".") else description + ".")]
    return "\n".join(out)


KEY = re.compile(r"^#?([a-z_]+(?:\.[a-z0-9_]+)+) *= *(.*)$")
SECTION = re.compile(r"^# -+ (.*?) -*$")


def properties_roff(path):
    """The annotated properties file as roff: sections as .SS, and each run
    of keys as one tagged paragraph (a tag per key, with its value as the
    file gives it) whose text is the comment above the keys."""
    out = []
    comment = []
    keys = []
    count = 0

    def flush():
        if keys:
            for i, (name, value) in enumerate(keys):
                out.extend([".TP" if i == 0 else ".TQ",
                            f"\\fB{roff(name)}\\fR = {roff(value)}".rstrip()])
            out.append(roff(" ".join(comment)) if comment else "")
        elif comment:
            out.extend([".PP", roff(" ".join(comment))])
        comment.clear()
        keys.clear()

    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    # The file's own header (up to the first section) is the page's
    # DESCRIPTION, written in the template.
    start = next((i for i, line in enumerate(lines) if SECTION.match(line)), None)
    if start is None:
        sys.exit(f"manpages.py: no '# --- Section ---' line in {path}")
    for line in lines[start:]:
        section = SECTION.match(line)
        key = KEY.match(line)
        if section:
            flush()
            out.extend([".SS", roff(section.group(1))])
        elif key:
            keys.append((key.group(1), key.group(2).strip()))
            count += 1
        elif line.startswith("#"):
            if keys:
                flush()
            comment.append(line.lstrip("#").strip())
        elif not line.strip():
            flush()
        else:
            sys.exit(f"manpages.py: cannot read the line {line!r} of {path}")
    flush()
    if count == 0:
        sys.exit(f"manpages.py: no keys in {path}")
    return "\n".join(line for line in out if line != "")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    binary, properties, templates, output = sys.argv[1:]
    version = subprocess.run([binary, "--version"], check=True, capture_output=True,
                             text=True).stdout.split()[1]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or None
    when = (datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) if epoch
            else datetime.datetime.now(datetime.timezone.utc))
    fill = {"@VERSION@": version, "@DATE@": when.strftime("%Y-%m-%d")}
    pages = {"sellertrustd.8": {"@OPTIONS@": options_roff(help_options(binary))},
             "sellertrustd.properties.5": {"@KEYS@": properties_roff(properties)}}
    os.makedirs(output, exist_ok=True)
    for page, parts in pages.items():
        with open(os.path.join(templates, page + ".in"), encoding="utf-8") as f:
            text = f.read()
        for placeholder, value in {**fill, **parts}.items():
            if placeholder not in text:
                sys.exit(f"manpages.py: {placeholder} missing from {page}.in")
            text = text.replace(placeholder, value)
        with open(os.path.join(output, page), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Peak memory of `waihu import contacts` on hostile and large legitimate files.

Writes into DIR (default a temporary directory):
  bomb.xlsx       ~1 MB workbook whose one shared string expands to 1.1 GB
  bomb-lying.xlsx the same, its zip headers claiming the part is 1 KiB
  large.csv       1,000,000 rows (about 32 MB, just under the 32 MiB limit)
  large.xlsx      the largest workbook the limits take: 1,000,000 rows, each with
                  its own name (1,000,000 shared strings)
then runs `/usr/bin/time -v WAIHU import contacts FILE …` on each against a fresh
SQLite database and prints the peak RSS. Usage:

  scripts/import-memory.py [--waihu target/release/waihu] [--dir DIR]

The files are built without any spreadsheet library: the bomb's deflate stream
is one compressed 1 MiB chunk repeated after full flushes, so building it takes
milliseconds and no gigabyte is ever written.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>'
)


def mobile(i):
    second = "35789"[i % 5]
    return f"1{second}{(i * 7919 + 12345) % 1_000_000_000:09d}"


class Part:
    """One zip entry: its deflate stream, CRC, true and declared sizes."""

    def __init__(self, name, chunks, declared=None):
        self.name = name
        comp = zlib.compressobj(1, zlib.DEFLATED, -15)
        crc, size, data = 0, 0, []
        for chunk, times in chunks:
            piece = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
            for _ in range(times):
                data.append(piece)
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
        data.append(comp.flush(zlib.Z_FINISH))
        self.data = b"".join(data)
        self.crc = crc & 0xFFFFFFFF
        self.size = size
        self.declared = size if declared is None else declared


def write_zip(path, parts):
    out, central = bytearray(), bytearray()
    for p in parts:
        name = p.name.encode()
        offset = len(out)
        fields = (20, 0, 8, 0, 0x21, p.crc, len(p.data), p.declared, len(name), 0)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + p.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields[:-1], 0, 0, 0, 0, 0, offset
        ) + name
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                       len(central), cd_offset, 0)
    with open(path, "wb") as f:
        f.write(out)


def fixed_parts():
    return [
        Part("[Content_Types].xml", [(CONTENT_TYPES.encode(), 1)]),
        Part("_rels/.rels", [(RELS.encode(), 1)]),
        Part("xl/workbook.xml", [(WORKBOOK.encode(), 1)]),
        Part("xl/_rels/workbook.xml.rels", [(WORKBOOK_RELS.encode(), 1)]),
    ]


def sheet_xml(rows):
    """Rows of (shared-string index of the name, number, shared index of the city)."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData>'.encode()
    yield b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    buf = []
    for r, (name, number, city) in enumerate(rows, start=2):
        buf.append(f'<row r="{r}"><c r="A{r}" t="s"><v>{name}</v></c>'
                   f'<c r="B{r}"><v>{number}</v></c><c r="C{r}" t="s"><v>{city}</v></c></row>')
        if len(buf) == 10_000:
            yield "".join(buf).encode()
            buf = []
    yield ("".join(buf) + "</sheetData></worksheet>").encode()


def shared_xml(strings):
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS}>'.encode()
    buf = []
    for s in strings:
        buf.append(f"<si><t>{s}</t></si>")
        if len(buf) == 10_000:
            yield "".join(buf).encode()
            buf = []
    yield ("".join(buf) + "</sst>").encode()


def bomb(path, size, declared=None):
    sheet = b"".join(sheet_xml([(3, mobile(0), 2)]))
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS}><si><t>姓名</t></si><si><t>手机号</t></si><si><t>城市</t></si><si><t>'.encode()
    filler = b"A" * (1 << 20)
    shared = Part("xl/sharedStrings.xml",
                  [(head, 1), (filler, size >> 20), (b"</t></si></sst>", 1)], declared)
    write_zip(path, fixed_parts() + [Part("xl/worksheets/sheet1.xml", [(sheet, 1)]), shared])


def large_xlsx(path, rows):
    names = (f"客户{i}" for i in range(rows))
    strings = ["姓名", "手机号", "城市", "杭州"]
    shared = Part("xl/sharedStrings.xml",
                  [(c, 1) for c in shared_xml(strings + list(names))])
    sheet = Part("xl/worksheets/sheet1.xml",
                 [(c, 1) for c in sheet_xml((4 + i, mobile(i), 3) for i in range(rows))])
    write_zip(path, fixed_parts() + [sheet, shared])


def large_csv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("手机号,姓名,产品\n")
        for i in range(rows):
            f.write(f"{mobile(i)},张先生,会员卡\n")


def measure(waihu, workdir, file):
    db = os.path.join(workdir, "m.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAIHU_")}
    base = [waihu, "--data-dir", workdir, "--database-url", f"sqlite://{db}"]
    subprocess.run(base + ["tenant", "create", "acme"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    cmd = ["/usr/bin/time", "-v"] + base + [
        "import", "contacts", file, "--tenant", "acme", "--list", "m",
        "--consent-source", "web_form", "--consent-time", "2026-01-01T00:00:00Z",
        "--consent-scope", "marketing", "--consent-ref", "form-1", "--json"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", p.stderr)
    said = (p.stdout.strip().splitlines() or [""])[-1]
    if p.returncode != 0:
        said = [l for l in p.stderr.splitlines() if l.startswith("Error")
                or "too large" in l or "nothing was imported" in l][:1]
        said = said[0] if said else p.stderr.strip().splitlines()[0]
    print(f"{os.path.basename(file):<16} {os.path.getsize(file) / 1e6:>7.1f} MB  "
          f"exit {p.returncode}  peak RSS {int(rss.group(1)) / 1024:>6.0f} MiB  "
          f"wall {wall.group(1)}  {said[:110]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--waihu", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "waihu"))
    ap.add_argument("--dir")
    args = ap.parse_args()
    workdir = args.dir or tempfile.mkdtemp(prefix="waihu-import-memory-")
    os.makedirs(workdir, exist_ok=True)
    files = {
        "bomb.xlsx": lambda p: bomb(p, 1100 << 20),
        "bomb-lying.xlsx": lambda p: bomb(p, 1100 << 20, declared=1024),
        "large.csv": lambda p: large_csv(p, 1_000_000),
        "large.xlsx": lambda p: large_xlsx(p, 1_000_000),
    }
    for name, make in files.items():
        path = os.path.join(workdir, name)
        if not os.path.exists(path):
            make(path)
    for name in files:
        measure(args.waihu, workdir, os.path.join(workdir, name))


if __name__ == "__main__":
    sys.exit(main())

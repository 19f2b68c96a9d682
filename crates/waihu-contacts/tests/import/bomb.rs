//! Spreadsheet bombs built in memory, small on disk: a real workbook whose one
//! shared string (or sheet) is replaced by a part that decompresses to
//! gigabytes. The deflate stream of the huge part is one compressed 1 MiB chunk
//! repeated (after a full flush a compressor starts afresh, so the same input
//! gives the same bytes) and its CRC is combined, so the file is a valid zip
//! that takes milliseconds to build.

use flate2::{Compress, Compression, FlushCompress};
use std::io::Read;

/// One zip entry as stored.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: Vec<u8>,
    /// The uncompressed size written in the headers.
    declared: u32,
}

fn deflate(c: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + 1024);
    let start = c.total_in();
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        }
        let done = (c.total_in() - start) as usize;
        let status = c
            .compress_vec(&input[done..], &mut out, flush)
            .unwrap_or_else(|e| panic!("{e}"));
        let done = (c.total_in() - start) as usize;
        let finished = match flush {
            FlushCompress::Finish => status == flate2::Status::StreamEnd,
            _ => out.len() < out.capacity(),
        };
        if done == input.len() && finished {
            return out;
        }
    }
}

/// `prefix`, then `filler` repeated `times`, then `suffix`, as one raw deflate
/// stream, with the CRC and the length of the whole.
fn repeated(prefix: &[u8], filler: &[u8], times: u64, suffix: &[u8]) -> (Vec<u8>, u32, u64) {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = deflate(&mut c, prefix, FlushCompress::Full);
    let chunk = deflate(&mut c, filler, FlushCompress::Full);
    for _ in 0..times {
        out.extend_from_slice(&chunk);
    }
    out.extend(deflate(&mut c, suffix, FlushCompress::Finish));
    let mut crc = crc32fast::Hasher::new();
    crc.update(prefix);
    let mut one = crc32fast::Hasher::new();
    one.update(filler);
    for _ in 0..times {
        crc.combine(&one);
    }
    let mut tail = crc32fast::Hasher::new();
    tail.update(suffix);
    crc.combine(&tail);
    let len = prefix.len() as u64 + filler.len() as u64 * times + suffix.len() as u64;
    (out, crc.finalize(), len)
}

fn write_zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for e in entries {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        le16(&mut out, 20);
        le16(&mut out, 0);
        le16(&mut out, e.method);
        le16(&mut out, 0);
        le16(&mut out, 0x21);
        le32(&mut out, e.crc);
        le32(&mut out, e.compressed.len() as u32);
        le32(&mut out, e.declared);
        le16(&mut out, e.name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.compressed);

        le32(&mut central, 0x0201_4b50);
        le16(&mut central, 20);
        le16(&mut central, 20);
        le16(&mut central, 0);
        le16(&mut central, e.method);
        le16(&mut central, 0);
        le16(&mut central, 0x21);
        le32(&mut central, e.crc);
        le32(&mut central, e.compressed.len() as u32);
        le32(&mut central, e.declared);
        le16(&mut central, e.name.len() as u16);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, entries.len() as u16);
    le16(&mut out, entries.len() as u16);
    le32(&mut out, central.len() as u32);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

/// Where the bomb goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The shared string `MARKER`, read into memory whole by the reader.
    SharedString,
    /// An inline string in the sheet, streamed by the reader.
    Sheet,
}

/// The text replaced by the filler.
pub const MARKER: &str = "BOMBMARKER";

/// A workbook with header `姓名,手机号` and one row `MARKER, 13812345678`, whose
/// `MARKER` text is replaced by `size` bytes of `A` in `part`; the headers say
/// the part is `declared` bytes (`None`: its true size).
pub fn xlsx_bomb(part: Part, size: u64, declared: Option<u32>) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let written = ws
        .write_string(0, 0, "姓名")
        .and_then(|w| w.write_string(0, 1, "手机号"))
        .and_then(|w| w.write_string(1, 0, MARKER))
        .and_then(|w| w.write_string(1, 1, "13812345678"));
    written.unwrap_or_else(|e| panic!("{e}"));
    let plain = wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let filler = vec![b'A'; 1 << 20];
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = Vec::new();
        f.read_to_end(&mut text).unwrap();
        let target = match part {
            Part::SharedString => name == "xl/sharedStrings.xml",
            Part::Sheet => name == "xl/worksheets/sheet1.xml",
        };
        let mut xml = String::from_utf8(text.clone()).unwrap();
        if target && part == Part::Sheet {
            // The marker is a shared string; make the sheet's cell inline instead.
            let cell = xml.find("<c r=\"A2\"").expect("cell A2");
            let end = cell + xml[cell..].find("</c>").unwrap() + 4;
            xml.replace_range(
                cell..end,
                &format!("<c r=\"A2\" t=\"inlineStr\"><is><t>{MARKER}</t></is></c>"),
            );
        }
        if target {
            let at = xml.find(MARKER).expect("marker");
            let (prefix, suffix) = (&xml[..at], &xml[at + MARKER.len()..]);
            let times = size / filler.len() as u64;
            let (compressed, crc, len) =
                repeated(prefix.as_bytes(), &filler, times, suffix.as_bytes());
            let true_len = u32::try_from(len).unwrap_or(u32::MAX);
            entries.push(Entry {
                name,
                method: 8,
                crc,
                compressed,
                declared: declared.unwrap_or(true_len),
            });
        } else {
            entries.push(Entry {
                name,
                method: 0,
                crc: crc32fast::hash(&text),
                declared: text.len() as u32,
                compressed: text,
            });
        }
    }
    write_zip(&entries)
}

/// A workbook with the same rows whose marker cell holds `text` (ordinary size).
pub fn xlsx_with_name(text: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let written = ws
        .write_string(0, 0, "姓名")
        .and_then(|w| w.write_string(0, 1, "手机号"))
        .and_then(|w| w.write_string(1, 0, text))
        .and_then(|w| w.write_string(1, 1, "13812345678"))
        .and_then(|w| w.write_string(2, 0, "李四"))
        .and_then(|w| w.write_string(2, 1, "13912345678"));
    written.unwrap_or_else(|e| panic!("{e}"));
    wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}

//! The built app's assets: pre-compressed once at build time (brotli and gzip, at
//! their best settings), so the server only picks a file; and the size of the first
//! load as a browser downloads it.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files the browser fetches for the first page.
fn first_load(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut files = vec![dist.join("index.html")];
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if matches!(ext, "js" | "wasm" | "css") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `<file>.br` and `<file>.gz` beside every compressible asset.
pub fn precompress(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(ext, "html" | "js" | "wasm" | "css" | "svg" | "txt") {
            continue;
        }
        let raw = std::fs::read(&path)?;
        std::fs::write(with_suffix(&path, "br"), brotli_bytes(&raw)?)?;
        std::fs::write(with_suffix(&path, "gz"), gzip_bytes(&raw)?)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(raw)?;
    }
    Ok(out)
}

fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

/// Prints the first load file by file: raw, gzip and brotli bytes.
pub fn report(dist: &Path) -> Result<()> {
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "first load", "raw", "gzip", "brotli"
    );
    for file in first_load(dist)? {
        let raw = std::fs::read(&file)?;
        let gz = gzip_bytes(&raw)?.len();
        let br = brotli_bytes(&raw)?.len();
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        println!("{name:<44} {:>10} {gz:>10} {br:>10}", raw.len());
        raw_total += raw.len();
        gz_total += gz;
        br_total += br;
    }
    println!(
        "{:<44} {raw_total:>10} {gz_total:>10} {br_total:>10}",
        "total (bytes)"
    );
    println!(
        "first load over the wire: {:.1} KiB with brotli, {:.1} KiB with gzip",
        br_total as f64 / 1024.0,
        gz_total as f64 / 1024.0
    );
    Ok(())
}

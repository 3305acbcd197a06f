//! Upload throughput on loopback next to a plain copy of the same file on the same
//! disk (both made durable with fsync), so the cost of the protocol shows.
//!
//! `cargo bench -p care-server --bench upload` (BENCH_MIB: file size, default 1024;
//! BENCH_CHUNK_MIB: chunk size, default 8).

use base64::Engine;
use care_rules::Timestamp;
use care_server::config::Settings;
use care_server::startup::Application;
use sha1::Digest;
use std::io::{Read, Write};
use std::time::Instant;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mib_per_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / (1 << 20) as f64 / seconds
}

#[tokio::main]
async fn main() {
    let size = env_or("BENCH_MIB", 1024) << 20;
    let chunk = env_or("BENCH_CHUNK_MIB", 8) << 20;
    let dir = tempfile::tempdir_in(std::env::current_dir().expect("cwd"))
        .expect("temp dir on the project's disk");
    let source = dir.path().join("source.mp4");
    {
        // A real video (the server reads its container) made `size` long by a `free`
        // box of noise after it.
        const CLIP: &[u8] = include_bytes!("../tests/fixtures/clip-16s-tiny.mp4");
        let mut f = std::fs::File::create(&source).expect("source");
        f.write_all(CLIP).expect("clip");
        let free = size - CLIP.len() as u64;
        f.write_all(&u32::try_from(free).expect("under 4 GiB").to_be_bytes())
            .expect("box size");
        f.write_all(b"free").expect("box type");
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut block = vec![0u8; 1 << 20];
        let mut left = free - 8;
        while left > 0 {
            for word in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                word.copy_from_slice(&x.to_le_bytes());
            }
            let n = left.min(block.len() as u64) as usize;
            f.write_all(&block[..n]).expect("write");
            left -= n as u64;
        }
        f.sync_all().expect("sync");
    }

    let copy_to = dir.path().join("copy.mp4");
    let started = Instant::now();
    std::fs::copy(&source, &copy_to).expect("copy");
    std::fs::File::open(&copy_to)
        .expect("copy")
        .sync_all()
        .expect("sync");
    let copy_s = started.elapsed().as_secs_f64();
    std::fs::remove_file(&copy_to).expect("removed");

    let settings = Settings::under(dir.path());
    let app = Application::build(&settings).await.expect("app");
    let base = format!("http://{}", app.address().expect("bound"));
    let db = app.db();
    tokio::spawn(app.run_until_stopped());
    let csv = dir.path().join("devices.csv");
    std::fs::write(&csv, "BENCH0000001,osmo-360,\nBENCH0000002,osmo-360,\n").expect("csv");
    care_server::operator::import_devices(&db, &csv, Timestamp::now())
        .await
        .expect("devices");
    let client = reqwest::Client::new();

    println!(
        "{} MiB file, {} MiB chunks, on the disk of {}",
        size >> 20,
        chunk >> 20,
        dir.path().display()
    );
    println!(
        "{:<34} {:>6.1} s  {:>7.0} MiB/s",
        "plain copy + fsync",
        copy_s,
        mib_per_s(size, copy_s)
    );
    for (serial, checksum) in [("BENCH0000001", false), ("BENCH0000002", true)] {
        let case: serde_json::Value = client
            .post(format!("{base}/api/verifications"))
            .json(&serde_json::json!({"serial": serial, "email": "bench@example.pl"}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        let case = case["id"].as_str().expect("id");
        let meta = format!(
            "verification_id {}",
            base64::engine::general_purpose::STANDARD.encode(case)
        );
        let created = client
            .post(format!("{base}/api/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", size.to_string())
            .header("Upload-Metadata", meta)
            .send()
            .await
            .expect("sent");
        let url = format!(
            "{base}{}",
            created.headers()["location"].to_str().expect("ascii")
        );
        let mut file = std::fs::File::open(&source).expect("source");
        let started = Instant::now();
        let mut offset = 0u64;
        while offset < size {
            let n = chunk.min(size - offset) as usize;
            let mut buf = vec![0u8; n];
            file.read_exact(&mut buf).expect("read");
            let mut request = client
                .patch(&url)
                .header("Tus-Resumable", "1.0.0")
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", offset.to_string());
            if checksum {
                let sum =
                    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(&buf));
                request = request.header("Upload-Checksum", format!("sha1 {sum}"));
            }
            let response = request.body(buf).send().await.expect("sent");
            assert_eq!(response.status(), 204);
            offset += n as u64;
        }
        let s = started.elapsed().as_secs_f64();
        let name = if checksum {
            "tus upload, sha1 per chunk"
        } else {
            "tus upload"
        };
        println!("{name:<34} {s:>6.1} s  {:>7.0} MiB/s", mib_per_s(size, s));
    }
}

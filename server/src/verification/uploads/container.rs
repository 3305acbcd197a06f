//! Reading a finished upload's container, so that the server does not trust the
//! browser's check: a file must be an MP4 or MOV with a video track, 15 s to 10 min
//! long. The index (`moov`) is found by walking the top-level boxes with ranged reads
//! (it may sit at the end of a file in a bucket), then parsed by Mozilla's `mp4parse`.
//! Only the box headers and the index are read, whatever the video's size.

use super::store::VideoStore;
use anyhow::Result;
use care_rules::Refusal;
use care_rules::verification::video;
use futures::TryStreamExt;
use std::ops::Range;

/// The largest index taken into memory: a 10-minute video's is a few MiB at most.
const MOOV_MAX: u64 = 32 << 20;
/// Top-level boxes walked at most before the index must have been found.
const BOXES_MAX: usize = 64;

/// What a finished upload holds, as far as review cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// A video of this many seconds, within the limits.
    Video { seconds: f64 },
    /// Refused: `unsupported_media_type` (not an MP4/MOV with a video track) or
    /// `video_duration_out_of_range`.
    Refused(Refusal),
}

async fn read(store: &VideoStore, id: &str, range: Range<u64>) -> Result<Vec<u8>> {
    let chunks: Vec<bytes::Bytes> = store.read(id, range).await?.try_collect().await?;
    Ok(chunks.concat())
}

/// A top-level box: its type and the bytes it spans.
struct BoxAt {
    kind: [u8; 4],
    span: Range<u64>,
}

/// The box at `offset` of a file of `size` bytes, from its header.
async fn box_at(store: &VideoStore, id: &str, offset: u64, size: u64) -> Result<Option<BoxAt>> {
    if size - offset < 8 {
        return Ok(None);
    }
    let head = read(store, id, offset..(offset + 16).min(size)).await?;
    let (Some(short), Some(kind)) = (head.get(0..4), head.get(4..8)) else {
        return Ok(None);
    };
    let short = u64::from(u32::from_be_bytes(short.try_into()?));
    let length = match short {
        // To the end of the file.
        0 => size - offset,
        // A 64-bit length follows the type.
        1 => match head.get(8..16) {
            Some(long) => u64::from_be_bytes(long.try_into()?),
            None => return Ok(None),
        },
        n => n,
    };
    if length < 8 || offset.saturating_add(length) > size {
        return Ok(None);
    }
    Ok(Some(BoxAt {
        kind: kind.try_into()?,
        span: offset..offset + length,
    }))
}

/// Reads the container of upload `id`, finished in `store`.
pub async fn inspect(store: &VideoStore, id: &str) -> Result<Verdict> {
    let not_a_video = Verdict::Refused(Refusal::UnsupportedMediaType);
    let size = store.size(id).await?;
    let (mut offset, mut ftyp, mut moov) = (0u64, None, None);
    for _ in 0..BOXES_MAX {
        let Some(found) = box_at(store, id, offset, size).await? else {
            break;
        };
        match &found.kind {
            b"ftyp" => ftyp = Some(found.span.clone()),
            b"moov" => {
                moov = Some(found.span.clone());
                break;
            }
            _ => {}
        }
        offset = found.span.end;
    }
    let (Some(ftyp), Some(moov)) = (ftyp, moov) else {
        return Ok(not_a_video);
    };
    if moov.end - moov.start > MOOV_MAX || ftyp.end - ftyp.start > 4096 {
        return Ok(not_a_video);
    }
    let mut boxes = read(store, id, ftyp).await?;
    boxes.extend(read(store, id, moov).await?);
    let Ok(context) = mp4parse::read_mp4(&mut std::io::Cursor::new(boxes)) else {
        return Ok(not_a_video);
    };
    let seconds = context
        .tracks
        .iter()
        .filter(|t| t.track_type == mp4parse::TrackType::Video)
        .filter_map(|t| {
            let duration = t.duration.as_ref()?.0;
            let scale = t.timescale.as_ref()?.0;
            (scale > 0).then(|| duration as f64 / scale as f64)
        })
        .fold(None, |longest: Option<f64>, s| {
            Some(longest.map_or(s, |l| l.max(s)))
        });
    Ok(match seconds {
        None => not_a_video,
        Some(seconds) => match video::check_duration(Some(seconds)) {
            Ok(()) => Verdict::Video { seconds },
            Err(_) => Verdict::Refused(Refusal::VideoDurationOutOfRange),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    /// `file` stored as a finished upload in a fresh disk store, with `padding` bytes of
    /// a `free` box inserted before its index.
    async fn stored(file: &str, padding: usize) -> (tempfile::TempDir, VideoStore) {
        let bytes = std::fs::read(format!("{FIXTURES}/{file}")).expect("fixture");
        let at = bytes
            .windows(4)
            .position(|w| w == b"moov")
            .expect("an index")
            - 4;
        let mut padded = bytes[..at].to_vec();
        if padding > 0 {
            padded.extend_from_slice(&u32::try_from(padding + 8).expect("small").to_be_bytes());
            padded.extend_from_slice(b"free");
            padded.resize(padded.len() + padding, 0x5a);
        }
        padded.extend_from_slice(&bytes[at..]);
        let dir = tempfile::tempdir().expect("dir");
        let store = VideoStore::open(&format!("file://{}", dir.path().display())).expect("store");
        let id = "0123456789abcdef0123456789abcdef";
        store.create(id).await.expect("created");
        let mut chunk = store.begin_chunk(id, 0).await.expect("chunk");
        chunk.write(&padded).await.expect("written");
        chunk.commit().await.expect("committed");
        store
            .finish(id, padded.len() as u64)
            .await
            .expect("finished");
        (dir, store)
    }

    async fn verdict(file: &str, padding: usize) -> Verdict {
        let (_dir, store) = stored(file, padding).await;
        inspect(&store, "0123456789abcdef0123456789abcdef")
            .await
            .expect("read")
    }

    #[tokio::test]
    async fn videos_of_the_right_length_pass_with_the_index_first_or_last() {
        for file in ["clip-20s.mp4", "clip-20s-faststart.mp4", "clip-20s.mov"] {
            match verdict(file, 3 << 20).await {
                Verdict::Video { seconds } => assert!((seconds - 20.0).abs() < 0.5, "{file}"),
                other => panic!("{file}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn too_short_too_long_or_no_video_is_refused() {
        assert_eq!(
            verdict("clip-5s.mp4", 0).await,
            Verdict::Refused(Refusal::VideoDurationOutOfRange)
        );
        assert_eq!(
            verdict("clip-11min.mp4", 0).await,
            Verdict::Refused(Refusal::VideoDurationOutOfRange)
        );
        assert_eq!(
            verdict("audio-20s.mp4", 0).await,
            Verdict::Refused(Refusal::UnsupportedMediaType)
        );
    }

    #[tokio::test]
    async fn a_signature_with_noise_is_no_video() {
        let dir = tempfile::tempdir().expect("dir");
        let store = VideoStore::open(&format!("file://{}", dir.path().display())).expect("store");
        let id = "0123456789abcdef0123456789abcdef";
        let mut noise = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
        noise.extend((0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
        store.create(id).await.expect("created");
        let mut chunk = store.begin_chunk(id, 0).await.expect("chunk");
        chunk.write(&noise).await.expect("written");
        chunk.commit().await.expect("committed");
        store
            .finish(id, noise.len() as u64)
            .await
            .expect("finished");
        assert_eq!(
            inspect(&store, id).await.expect("read"),
            Verdict::Refused(Refusal::UnsupportedMediaType)
        );
    }
}

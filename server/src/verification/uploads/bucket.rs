//! Upload storage in an S3-compatible bucket (`CARE_STORAGE=s3://BUCKET/PREFIX`), so that
//! several server instances share every upload. Each committed chunk is an object of its
//! own under `staging/<id>/<start>-<end>` (durable once the PUT answers), so any instance
//! can continue or finish an upload; finishing streams the parts into one multipart
//! object `videos/<id>` and removes them. A chunk's body goes to a local temporary file
//! first, so memory stays constant whatever the chunk's size.
//!
//! Parts are never overwritten or removed while an upload runs: two instances may write
//! a chunk at the same offset at once (a client retrying on another instance while its
//! first request still drains), and only the database decides which one counts. A part
//! holds the file's own bytes at its range whichever request wrote it, so any chain of
//! parts from 0 to the end is the video; the ones left over are removed at the end.

use super::store::VideoStream;
use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Parts in flight while writing a multipart object (each at most 5 MiB in memory).
const PARTS_IN_FLIGHT: usize = 2;

pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    temp: PathBuf,
}

impl Bucket {
    pub fn new(url: &str) -> Result<Bucket> {
        let rest = url.strip_prefix("s3://").context("an s3:// URL")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("CARE_STORAGE {url:?} names no bucket");
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .with_context(|| format!("CARE_STORAGE {url:?}"))?;
        let temp = std::env::temp_dir().join("care-uploads");
        std::fs::create_dir_all(&temp)?;
        Ok(Bucket {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_owned(),
            temp,
        })
    }

    fn path(&self, rest: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(rest)
        } else {
            ObjectPath::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn staging(&self, id: &str) -> Result<ObjectPath> {
        Ok(self.path(&format!("staging/{}", checked(id)?)))
    }

    fn video(&self, id: &str) -> Result<ObjectPath> {
        Ok(self.path(&format!("videos/{}", checked(id)?)))
    }

    /// The staged parts of an upload, by start.
    async fn parts(&self, id: &str) -> Result<Vec<Part>> {
        let mut parts: Vec<Part> = self
            .store
            .list(Some(&self.staging(id)?))
            .try_filter_map(|meta| async move {
                let range = meta.location.filename().and_then(|name| {
                    let (start, end) = name.split_once('-')?;
                    Some((start.parse().ok()?, end.parse().ok()?))
                });
                Ok::<_, object_store::Error>(range.map(|(start, end)| Part {
                    start,
                    end,
                    path: meta.location,
                }))
            })
            .try_collect()
            .await?;
        parts.sort_by_key(|part| (part.start, part.end));
        Ok(parts)
    }

    /// Removes parts in batches (one request per thousand keys on S3).
    async fn remove_all(&self, parts: &[Part]) -> Result<()> {
        let locations = futures::stream::iter(parts.iter().map(|p| Ok(p.path.clone()))).boxed();
        let mut deleted = self.store.delete_stream(locations);
        while let Some(outcome) = deleted.next().await {
            match outcome {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    async fn remove(&self, path: &ObjectPath) -> Result<()> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A committed chunk: the file's bytes `start..end`.
struct Part {
    start: u64,
    end: u64,
    path: ObjectPath,
}

/// The parts that continue each other from byte 0 to the furthest byte they reach.
/// A graph search rather than "the longest part at each step": a part from a request
/// that lost its race can lead to a point no later part starts from.
fn longest_chain(parts: &[Part]) -> Vec<&Part> {
    // For each reachable byte position, the part that first reached it.
    let mut reached: std::collections::HashMap<u64, Option<usize>> = [(0, None)].into();
    let mut furthest = 0;
    // Sorted by start, so every position a part starts from is settled before it.
    for (i, part) in parts.iter().enumerate() {
        if part.end > part.start && reached.contains_key(&part.start) {
            reached.entry(part.end).or_insert(Some(i));
            furthest = furthest.max(part.end);
        }
    }
    let mut chain = Vec::new();
    let mut at = furthest;
    while let Some(Some(i)) = reached.get(&at) {
        chain.push(&parts[*i]);
        at = parts[*i].start;
    }
    chain.reverse();
    chain
}

/// Ids are made by the server; anything else never names an object.
fn checked(id: &str) -> Result<&str> {
    if crate::ids::is_id(id) {
        Ok(id)
    } else {
        bail!("not an upload id: {id:?}")
    }
}

impl Bucket {
    pub fn create(&self, id: &str) -> Result<()> {
        checked(id)?;
        Ok(())
    }

    pub async fn begin_chunk(&self, id: &str, offset: u64) -> Result<StagedChunk> {
        checked(id)?;
        let temp = self
            .temp
            .join(format!("{id}-{offset}-{}", crate::ids::random_id()));
        let file = tokio::fs::File::create(&temp).await?;
        Ok(StagedChunk {
            store: self.store.clone(),
            staging: self.staging(id)?,
            start: offset,
            temp,
            file,
            written: 0,
        })
    }

    pub async fn finish(&self, id: &str, length: u64) -> Result<()> {
        let parts = self.parts(id).await?;
        // Finished before (a crash may have stopped the removal of the parts): the video
        // is whole, since a multipart object appears only once it is complete.
        match self.store.head(&self.video(id)?).await {
            Ok(_) => {
                self.remove_all(&parts).await?;
                return Ok(());
            }
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let chain = longest_chain(&parts);
        let end = chain.last().map_or(0, |part| part.end);
        if end != length {
            bail!("upload {id} holds its bytes up to {end}, not {length}");
        }
        let mut writer = WriteMultipart::new(self.store.put_multipart(&self.video(id)?).await?);
        for part in chain {
            let mut stream = self.store.get(&part.path).await?.into_stream();
            while let Some(bytes) = stream.next().await {
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                writer.put(bytes?);
            }
        }
        writer.finish().await?;
        self.remove_all(&parts).await
    }

    /// Lists the top of the prefix (`staging/`, `videos/`: one short page). Not a HEAD of
    /// some object: a bucket that is not there answers that with the same bare 404 as
    /// a missing object, where a listing says `NoSuchBucket`.
    pub async fn ping(&self) -> Result<()> {
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        self.store.list_with_delimiter(prefix.as_ref()).await?;
        Ok(())
    }

    pub async fn size(&self, id: &str) -> Result<u64> {
        Ok(self.store.head(&self.video(id)?).await?.size)
    }

    /// Streams `range` of a finished video from the bucket, as S3 sends it.
    pub async fn read(&self, id: &str, range: Range<u64>) -> Result<VideoStream> {
        let options = GetOptions {
            range: Some(GetRange::Bounded(range)),
            ..GetOptions::default()
        };
        let stream = self
            .store
            .get_opts(&self.video(id)?, options)
            .await?
            .into_stream()
            .map_err(std::io::Error::other);
        Ok(stream.boxed())
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        let parts = self.parts(id).await?;
        self.remove_all(&parts).await?;
        self.remove(&self.video(id)?).await
    }

    pub async fn staged_len(&self, id: &str) -> Result<u64> {
        let parts = self.parts(id).await?;
        Ok(longest_chain(&parts).last().map_or(0, |part| part.end))
    }
}

pub struct StagedChunk {
    store: Arc<dyn ObjectStore>,
    staging: ObjectPath,
    start: u64,
    temp: PathBuf,
    file: tokio::fs::File,
    written: u64,
}

impl StagedChunk {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        self.file.flush().await?;
        let outcome = async {
            if self.written == 0 {
                return Ok(());
            }
            let end = self.start + self.written;
            let path = self.staging.child(format!("{:020}-{end:020}", self.start));
            let mut reader = tokio::fs::File::open(&self.temp).await?;
            let mut writer = WriteMultipart::new(self.store.put_multipart(&path).await?);
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let n = reader.read(&mut buffer).await?;
                if n == 0 {
                    break;
                }
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                writer.write(&buffer[..n]);
            }
            writer.finish().await?;
            Ok(())
        }
        .await;
        let _ = tokio::fs::remove_file(&self.temp).await;
        outcome
    }

    pub async fn discard(self) -> Result<()> {
        let _ = tokio::fs::remove_file(&self.temp).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Part, longest_chain};

    fn ranges(parts: &[(u64, u64)]) -> Vec<(u64, u64)> {
        let parts: Vec<Part> = parts
            .iter()
            .map(|&(start, end)| Part {
                start,
                end,
                path: format!("{start}-{end}").into(),
            })
            .collect();
        longest_chain(&parts)
            .iter()
            .map(|part| (part.start, part.end))
            .collect()
    }

    #[test]
    fn the_chain_skips_parts_that_lost_their_race() {
        assert_eq!(ranges(&[]), vec![]);
        assert_eq!(ranges(&[(0, 10), (10, 20)]), vec![(0, 10), (10, 20)]);
        // A longer part at 0 leads nowhere: the chain goes through the shorter one.
        assert_eq!(
            ranges(&[(0, 10), (0, 15), (10, 20), (20, 30)]),
            vec![(0, 10), (10, 20), (20, 30)]
        );
        // A shorter leftover at 10 and a duplicate of a part change nothing.
        assert_eq!(
            ranges(&[(0, 10), (10, 12), (10, 20), (10, 20), (20, 30)]),
            vec![(0, 10), (10, 20), (20, 30)]
        );
        // A gap ends the chain where the bytes stop.
        assert_eq!(ranges(&[(0, 10), (20, 30)]), vec![(0, 10)]);
        assert_eq!(ranges(&[(5, 10)]), vec![]);
    }
}

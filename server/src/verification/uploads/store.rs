//! Where videos are kept: the local disk (the embedded default) or an S3-compatible
//! bucket (`CARE_STORAGE=s3://…`, for several instances). The tus handlers write each
//! chunk through a [`Chunk`] that is either committed (made durable) or discarded, so
//! the stored offset never counts a byte that could still be lost.

use super::bucket::{Bucket, StagedChunk};
use super::disk::{Disk, FileChunk};
use anyhow::Result;
use bytes::Bytes;
use futures::stream::BoxStream;
use std::ops::Range;

pub enum VideoStore {
    Disk(Disk),
    Bucket(Bucket),
}

/// A chunk being written: committed or discarded, never half.
pub enum Chunk {
    File(FileChunk),
    Staged(StagedChunk),
}

/// Bytes of a finished video, as a stream.
pub type VideoStream = BoxStream<'static, std::io::Result<Bytes>>;

impl VideoStore {
    /// The store a `CARE_STORAGE` URL names: `file://PATH`, or `s3://BUCKET/PREFIX`
    /// (endpoint, region and credentials from the usual `AWS_*` variables).
    pub fn open(url: &str) -> Result<VideoStore> {
        if let Some(path) = url.strip_prefix("file://") {
            Ok(VideoStore::Disk(Disk::new(std::path::Path::new(path))?))
        } else if url.starts_with("s3://") {
            Ok(VideoStore::Bucket(Bucket::new(url)?))
        } else {
            anyhow::bail!("unsupported CARE_STORAGE {url:?}: file://PATH or s3://BUCKET/PREFIX")
        }
    }

    /// Starts an empty upload.
    pub async fn create(&self, id: &str) -> Result<()> {
        match self {
            VideoStore::Disk(d) => d.create(id).await,
            VideoStore::Bucket(b) => b.create(id),
        }
    }

    /// A chunk that starts at `offset` (bytes after it are cut first).
    pub async fn begin_chunk(&self, id: &str, offset: u64) -> Result<Chunk> {
        Ok(match self {
            VideoStore::Disk(d) => Chunk::File(d.begin_chunk(id, offset).await?),
            VideoStore::Bucket(b) => Chunk::Staged(b.begin_chunk(id, offset).await?),
        })
    }

    /// The upload's `length` bytes are all stored: make them the video that review
    /// streams. Safe to run again after a crash.
    pub async fn finish(&self, id: &str, length: u64) -> Result<()> {
        match self {
            VideoStore::Disk(d) => d.finish(id, length).await,
            VideoStore::Bucket(b) => b.finish(id, length).await,
        }
    }

    /// The size of a finished video.
    pub async fn size(&self, id: &str) -> Result<u64> {
        match self {
            VideoStore::Disk(d) => d.size(id).await,
            VideoStore::Bucket(b) => b.size(id).await,
        }
    }

    /// The bytes `range` of a finished video.
    pub async fn read(&self, id: &str, range: Range<u64>) -> Result<VideoStream> {
        match self {
            VideoStore::Disk(d) => d.read(id, range).await,
            VideoStore::Bucket(b) => b.read(id, range).await,
        }
    }

    /// Removes whatever is stored for the upload, finished or not.
    pub async fn delete(&self, id: &str) -> Result<()> {
        match self {
            VideoStore::Disk(d) => d.delete(id).await,
            VideoStore::Bucket(b) => b.delete(id).await,
        }
    }

    /// Whether the store answers (readiness): the disk's folders are there and
    /// writable, the bucket answers a request.
    pub async fn ping(&self) -> Result<()> {
        match self {
            VideoStore::Disk(d) => d.ping().await,
            VideoStore::Bucket(b) => b.ping().await,
        }
    }

    /// Bytes free for new videos where that can be known (the local disk); `None` for a
    /// bucket, whose provider enforces its own limits.
    pub fn free_space(&self) -> Result<Option<u64>> {
        match self {
            VideoStore::Disk(d) => Ok(Some(d.free_space()?)),
            VideoStore::Bucket(_) => Ok(None),
        }
    }

    /// Bytes an unfinished upload holds from its start without a gap (what survived a
    /// crash).
    pub async fn staged_len(&self, id: &str) -> Result<u64> {
        match self {
            VideoStore::Disk(d) => d.staged_len(id).await,
            VideoStore::Bucket(b) => b.staged_len(id).await,
        }
    }
}

impl Chunk {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Chunk::File(c) => c.write(bytes).await,
            Chunk::Staged(c) => c.write(bytes).await,
        }
    }

    /// Makes the bytes written so far durable.
    pub async fn commit(self) -> Result<()> {
        match self {
            Chunk::File(c) => c.commit().await,
            Chunk::Staged(c) => c.commit().await,
        }
    }

    /// Forgets the bytes written since the chunk began.
    pub async fn discard(self) -> Result<()> {
        match self {
            Chunk::File(c) => c.discard().await,
            Chunk::Staged(c) => c.discard().await,
        }
    }
}

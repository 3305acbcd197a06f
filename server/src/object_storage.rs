//! Upload storage in an S3-compatible bucket (`CARE_STORAGE=s3://BUCKET/PREFIX`), so that
//! several server instances share every upload. Each committed chunk is an object of its
//! own under `staging/<id>/<offset>` (durable once the PUT answers), so any instance can
//! continue or finish an upload; finishing streams the parts into one multipart object
//! `videos/<id>` and removes them. A chunk's body goes to a local temporary file first,
//! so memory stays constant whatever the chunk's size.

use crate::uploads::{ChunkSink, UploadStorage};
use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Parts in flight while writing a multipart object (each at most 5 MiB in memory).
const PARTS_IN_FLIGHT: usize = 2;

pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    temp: PathBuf,
}

impl ObjectStorage {
    pub fn new(url: &str) -> Result<ObjectStorage> {
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
        Ok(ObjectStorage {
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

    /// The staged parts of an upload, by offset.
    async fn parts(&self, id: &str) -> Result<Vec<(u64, ObjectPath, u64)>> {
        let mut parts: Vec<(u64, ObjectPath, u64)> = self
            .store
            .list(Some(&self.staging(id)?))
            .map_ok(|meta| {
                let offset = meta
                    .location
                    .filename()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u64::MAX);
                (offset, meta.location, meta.size)
            })
            .try_collect()
            .await?;
        parts.sort_by_key(|(offset, _, _)| *offset);
        Ok(parts)
    }

    async fn remove(&self, path: &ObjectPath) -> Result<()> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Ids are 32 hex digits made by the server; anything else never names an object.
fn checked(id: &str) -> Result<&str> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        bail!("not an upload id: {id:?}")
    }
}

#[async_trait]
impl UploadStorage for ObjectStorage {
    async fn create(&self, id: &str) -> Result<()> {
        checked(id)?;
        Ok(())
    }

    async fn begin_chunk(&self, id: &str, offset: u64) -> Result<Box<dyn ChunkSink>> {
        // Parts at or past the durable offset are left over from a crash: drop them.
        for (at, path, _) in self.parts(id).await? {
            if at >= offset {
                self.remove(&path).await?;
            }
        }
        let temp = self
            .temp
            .join(format!("{id}-{offset}-{}", crate::codes::random_id()));
        let file = tokio::fs::File::create(&temp).await?;
        Ok(Box::new(StagedChunk {
            store: self.store.clone(),
            path: self.path(&format!("staging/{id}/{offset:020}")),
            temp,
            file,
            written: 0,
        }))
    }

    async fn finish(&self, id: &str) -> Result<()> {
        let parts = self.parts(id).await?;
        if parts.is_empty() {
            // Finished before: the video is there already.
            self.store.head(&self.video(id)?).await?;
            return Ok(());
        }
        let mut writer = WriteMultipart::new(self.store.put_multipart(&self.video(id)?).await?);
        let mut expected = 0;
        for (offset, path, size) in &parts {
            if *offset != expected {
                writer.abort().await?;
                bail!("upload {id} has a gap at {expected} (next part at {offset})");
            }
            let mut stream = self.store.get(path).await?.into_stream();
            while let Some(bytes) = stream.next().await {
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                writer.put(bytes?);
            }
            expected += size;
        }
        writer.finish().await?;
        for (_, path, _) in parts {
            self.remove(&path).await?;
        }
        Ok(())
    }

    async fn serve(
        &self,
        id: &str,
        content_type: &str,
        request: Request<Body>,
    ) -> Result<Response> {
        let path = self.video(id)?;
        let size = self.store.head(&path).await?.size;
        let range = request
            .headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_range(v, size));
        let mut builder = Response::builder()
            .header(header::CONTENT_TYPE, HeaderValue::from_str(content_type)?)
            .header(header::ACCEPT_RANGES, "bytes");
        let options = match range {
            Some(Err(())) => {
                return Ok(builder
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                    .body(Body::empty())?);
            }
            Some(Ok((start, end))) => {
                builder = builder
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(
                        header::CONTENT_RANGE,
                        format!("bytes {start}-{}/{size}", end - 1),
                    )
                    .header(header::CONTENT_LENGTH, end - start);
                GetOptions {
                    range: Some(GetRange::Bounded(start..end)),
                    ..GetOptions::default()
                }
            }
            None => {
                builder = builder
                    .status(StatusCode::OK)
                    .header(header::CONTENT_LENGTH, size);
                GetOptions::default()
            }
        };
        let stream = self.store.get_opts(&path, options).await?.into_stream();
        Ok(builder.body(Body::from_stream(stream))?)
    }

    async fn delete(&self, id: &str) -> Result<()> {
        for (_, path, _) in self.parts(id).await? {
            self.remove(&path).await?;
        }
        self.remove(&self.video(id)?).await
    }

    async fn staged_len(&self, id: &str) -> Result<u64> {
        Ok(self.parts(id).await?.iter().map(|(_, _, size)| size).sum())
    }
}

/// One `bytes=` range of an object of `size` bytes as `start..end`; `Err` when it
/// cannot be satisfied; `None` for anything else (then the whole object is sent).
fn parse_range(header: &str, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (start, end) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.saturating_sub(n), size)
        }
        (start, "") => (start.parse().ok()?, size),
        (start, end) => (
            start.parse().ok()?,
            end.parse::<u64>().ok()?.saturating_add(1).min(size),
        ),
    };
    Some(if start < end && start < size {
        Ok((start, end))
    } else {
        Err(())
    })
}

struct StagedChunk {
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
    temp: PathBuf,
    file: tokio::fs::File,
    written: u64,
}

#[async_trait]
impl ChunkSink for StagedChunk {
    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.file.flush().await?;
        let outcome = async {
            if self.written == 0 {
                return Ok(());
            }
            let mut reader = tokio::fs::File::open(&self.temp).await?;
            let mut writer = WriteMultipart::new(self.store.put_multipart(&self.path).await?);
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

    async fn discard(self: Box<Self>) -> Result<()> {
        let _ = tokio::fs::remove_file(&self.temp).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok((0, 100))));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok((900, 1000))));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok((900, 1000))));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(Ok((990, 1000))));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}

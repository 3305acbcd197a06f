//! Where uploaded videos are kept. The tus handlers write each chunk through a
//! [`ChunkSink`] that is either committed (made durable) or discarded, so the stored
//! offset never counts a byte that could still be lost. The local disk is the
//! default; an S3-compatible store implements the same interface.

use anyhow::{Context, Result};
use async_trait::async_trait;
use axum::body::Body;
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// Opens the storage a `CARE_STORAGE` URL names: `file://PATH`, or `s3://BUCKET/PREFIX`
/// (endpoint, region and credentials from the usual `AWS_*` variables).
pub fn open(url: &str) -> Result<std::sync::Arc<dyn UploadStorage>> {
    if let Some(path) = url.strip_prefix("file://") {
        Ok(std::sync::Arc::new(LocalDisk::new(Path::new(path))?))
    } else if url.starts_with("s3://") {
        Ok(std::sync::Arc::new(
            crate::object_storage::ObjectStorage::new(url)?,
        ))
    } else {
        anyhow::bail!("unsupported CARE_STORAGE {url:?}: file://PATH or s3://BUCKET/PREFIX")
    }
}

#[async_trait]
pub trait UploadStorage: Send + Sync {
    /// Starts an empty upload.
    async fn create(&self, id: &str) -> Result<()>;
    /// A sink for a chunk that starts at `offset` (bytes after it are cut first).
    async fn begin_chunk(&self, id: &str, offset: u64) -> Result<Box<dyn ChunkSink>>;
    /// The upload's `length` bytes are all stored: make them the video that review
    /// streams. Safe to run again after a crash.
    async fn finish(&self, id: &str, length: u64) -> Result<()>;
    /// Streams the finished video, honouring `Range` (so a `<video>` can seek).
    async fn serve(&self, id: &str, content_type: &str, request: Request<Body>)
    -> Result<Response>;
    /// Removes whatever is stored for the upload, finished or not.
    async fn delete(&self, id: &str) -> Result<()>;
    /// Bytes an unfinished upload holds from its start without a gap (what survived a
    /// crash).
    async fn staged_len(&self, id: &str) -> Result<u64>;
}

#[async_trait]
pub trait ChunkSink: Send {
    async fn write(&mut self, bytes: &[u8]) -> Result<()>;
    /// Makes the bytes written so far durable.
    async fn commit(self: Box<Self>) -> Result<()>;
    /// Forgets the bytes written since the chunk began.
    async fn discard(self: Box<Self>) -> Result<()>;
}

/// Uploads under one folder: `staging/<id>` while they arrive, `videos/<id>` once
/// finished.
pub struct LocalDisk {
    staging: PathBuf,
    videos: PathBuf,
}

impl LocalDisk {
    pub fn new(root: &Path) -> Result<LocalDisk> {
        let disk = LocalDisk {
            staging: root.join("staging"),
            videos: root.join("videos"),
        };
        for dir in [&disk.staging, &disk.videos] {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(disk)
    }

    /// Ids are 32 hex digits made by the server; anything else never names a file.
    fn path(dir: &Path, id: &str) -> Result<PathBuf> {
        if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(dir.join(id))
        } else {
            anyhow::bail!("not an upload id: {id:?}")
        }
    }

    pub fn video_path(&self, id: &str) -> Result<PathBuf> {
        LocalDisk::path(&self.videos, id)
    }
}

/// Makes a rename or a new file in `dir` durable.
async fn sync_dir(dir: &Path) -> Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all()).await??;
    Ok(())
}

#[async_trait]
impl UploadStorage for LocalDisk {
    async fn create(&self, id: &str) -> Result<()> {
        let path = LocalDisk::path(&self.staging, id)?;
        File::create(&path).await?.sync_all().await?;
        sync_dir(&self.staging).await
    }

    async fn begin_chunk(&self, id: &str, offset: u64) -> Result<Box<dyn ChunkSink>> {
        let path = LocalDisk::path(&self.staging, id)?;
        let mut file = OpenOptions::new().write(true).open(&path).await?;
        // Bytes past the durable offset are left over from a crash: cut them.
        file.set_len(offset).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        Ok(Box::new(FileChunk { file, offset }))
    }

    async fn finish(&self, id: &str, length: u64) -> Result<()> {
        let from = LocalDisk::path(&self.staging, id)?;
        let to = LocalDisk::path(&self.videos, id)?;
        match tokio::fs::metadata(&from).await {
            Ok(staged) if staged.len() != length => {
                anyhow::bail!("upload {id} holds {} bytes, not {length}", staged.len())
            }
            Ok(_) => {
                tokio::fs::rename(&from, &to).await?;
                sync_dir(&self.videos).await?;
                sync_dir(&self.staging).await
            }
            // Moved before a crash kept the database from recording it.
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && tokio::fs::try_exists(&to).await? =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn serve(
        &self,
        id: &str,
        content_type: &str,
        request: Request<Body>,
    ) -> Result<Response> {
        let path = LocalDisk::path(&self.videos, id)?;
        let mime: mime_guess::Mime = content_type
            .parse()
            .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
        let response = ServeFile::new_with_mime(path, &mime)
            .oneshot(request)
            .await?;
        Ok(response.into_response())
    }

    async fn delete(&self, id: &str) -> Result<()> {
        for dir in [&self.staging, &self.videos] {
            match tokio::fs::remove_file(LocalDisk::path(dir, id)?).await {
                Ok(()) => sync_dir(dir).await?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    async fn staged_len(&self, id: &str) -> Result<u64> {
        let path = LocalDisk::path(&self.staging, id)?;
        Ok(tokio::fs::metadata(&path)
            .await
            .map(|m| m.len())
            .unwrap_or(0))
    }
}

struct FileChunk {
    file: File,
    offset: u64,
}

#[async_trait]
impl ChunkSink for FileChunk {
    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).await?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        Ok(())
    }

    async fn discard(mut self: Box<Self>) -> Result<()> {
        self.file.flush().await?;
        self.file.set_len(self.offset).await?;
        self.file.sync_data().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[tokio::test]
    async fn committed_chunks_stay_and_discarded_ones_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let disk = LocalDisk::new(dir.path()).expect("disk");
        disk.create(ID).await.expect("created");
        let mut chunk = disk.begin_chunk(ID, 0).await.expect("chunk");
        chunk.write(b"hello ").await.expect("write");
        chunk.commit().await.expect("commit");
        let mut chunk = disk.begin_chunk(ID, 6).await.expect("chunk");
        chunk.write(b"garbage").await.expect("write");
        chunk.discard().await.expect("discard");
        assert_eq!(disk.staged_len(ID).await.expect("len"), 6);
        // Bytes past the offset (a crash's leftovers) are cut before a chunk.
        let mut chunk = disk.begin_chunk(ID, 6).await.expect("chunk");
        chunk.write(b"world").await.expect("write");
        chunk.commit().await.expect("commit");
        assert!(disk.finish(ID, 12).await.is_err(), "a byte is missing");
        disk.finish(ID, 11).await.expect("finish");
        disk.finish(ID, 11)
            .await
            .expect("finishing again changes nothing");
        let video = std::fs::read(disk.video_path(ID).expect("path")).expect("video");
        assert_eq!(video, b"hello world");
        disk.delete(ID).await.expect("deleted");
        assert!(!disk.video_path(ID).expect("path").exists());
    }

    #[tokio::test]
    async fn only_server_ids_name_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let disk = LocalDisk::new(dir.path()).expect("disk");
        assert!(disk.create("../../etc/passwd").await.is_err());
        assert!(disk.begin_chunk("x", 0).await.is_err());
    }
}

//! Videos on the local disk, the embedded default: `staging/<id>` while they arrive,
//! `videos/<id>` once finished. A chunk is written in place and made durable with
//! fsync; a discarded one is cut off again.

use super::store::VideoStream;
use anyhow::{Context, Result};
use futures::StreamExt;
use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub struct Disk {
    staging: PathBuf,
    videos: PathBuf,
}

impl Disk {
    pub fn new(root: &Path) -> Result<Disk> {
        let disk = Disk {
            staging: root.join("staging"),
            videos: root.join("videos"),
        };
        for dir in [&disk.staging, &disk.videos] {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(disk)
    }

    /// Ids are made by the server; anything else never names a file.
    fn path(dir: &Path, id: &str) -> Result<PathBuf> {
        if crate::ids::is_id(id) {
            Ok(dir.join(id))
        } else {
            anyhow::bail!("not an upload id: {id:?}")
        }
    }

    pub async fn create(&self, id: &str) -> Result<()> {
        let path = Disk::path(&self.staging, id)?;
        File::create(&path).await?.sync_all().await?;
        sync_dir(&self.staging).await
    }

    pub async fn begin_chunk(&self, id: &str, offset: u64) -> Result<FileChunk> {
        let path = Disk::path(&self.staging, id)?;
        let mut file = OpenOptions::new().write(true).open(&path).await?;
        // Bytes past the durable offset are left over from a crash: cut them.
        file.set_len(offset).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        Ok(FileChunk { file, offset })
    }

    pub async fn finish(&self, id: &str, length: u64) -> Result<()> {
        let from = Disk::path(&self.staging, id)?;
        let to = Disk::path(&self.videos, id)?;
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

    pub async fn size(&self, id: &str) -> Result<u64> {
        let path = Disk::path(&self.videos, id)?;
        Ok(tokio::fs::metadata(&path).await?.len())
    }

    /// Streams `range` of a finished video in 64 KiB reads.
    pub async fn read(&self, id: &str, range: Range<u64>) -> Result<VideoStream> {
        let path = Disk::path(&self.videos, id)?;
        let mut file = File::open(&path).await?;
        file.seek(SeekFrom::Start(range.start)).await?;
        let reader = file.take(range.end.saturating_sub(range.start));
        Ok(tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024).boxed())
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        for dir in [&self.staging, &self.videos] {
            match tokio::fs::remove_file(Disk::path(dir, id)?).await {
                Ok(()) => sync_dir(dir).await?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Writes and removes a probe file where uploads are staged.
    pub async fn ping(&self) -> Result<()> {
        let probe = self
            .staging
            .join(format!(".ready-{}", crate::ids::random_id()));
        tokio::fs::write(&probe, b"ok").await?;
        tokio::fs::remove_file(&probe).await?;
        Ok(())
    }

    /// Bytes free on the disk the videos are kept on.
    pub fn free_space(&self) -> Result<u64> {
        Ok(fs4::available_space(&self.staging)?)
    }

    pub async fn staged_len(&self, id: &str) -> Result<u64> {
        let path = Disk::path(&self.staging, id)?;
        Ok(tokio::fs::metadata(&path)
            .await
            .map(|m| m.len())
            .unwrap_or(0))
    }
}

/// Makes a rename or a new file in `dir` durable.
async fn sync_dir(dir: &Path) -> Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all()).await??;
    Ok(())
}

pub struct FileChunk {
    file: File,
    offset: u64,
}

impl FileChunk {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes).await?;
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        Ok(())
    }

    pub async fn discard(mut self) -> Result<()> {
        self.file.flush().await?;
        self.file.set_len(self.offset).await?;
        self.file.sync_data().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    async fn read_all(disk: &Disk, range: Range<u64>) -> Vec<u8> {
        let chunks: Vec<bytes::Bytes> = disk
            .read(ID, range)
            .await
            .expect("read")
            .try_collect()
            .await
            .expect("bytes");
        chunks.concat()
    }

    #[tokio::test]
    async fn committed_chunks_stay_and_discarded_ones_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let disk = Disk::new(dir.path()).expect("disk");
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
        assert_eq!(disk.size(ID).await.expect("size"), 11);
        assert_eq!(read_all(&disk, 0..11).await, b"hello world");
        assert_eq!(read_all(&disk, 6..9).await, b"wor");
        disk.delete(ID).await.expect("deleted");
        assert!(disk.size(ID).await.is_err());
    }

    #[tokio::test]
    async fn only_server_ids_name_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let disk = Disk::new(dir.path()).expect("disk");
        assert!(disk.create("../../etc/passwd").await.is_err());
        assert!(disk.begin_chunk("x", 0).await.is_err());
    }
}

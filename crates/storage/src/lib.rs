//! Object storage for quarry: inputs and output roots given as URLs —
//! `s3://bucket/prefix`, `gs://…`, `az://…` — next to local paths.
//!
//! The stages are synchronous code on their own threads, so this crate offers
//! blocking calls that run object_store's async requests on the pipeline's
//! tokio runtime (a [`Handle`]). Reads and writes stream: a reader pulls the
//! body chunk by chunk, a writer uploads in parts of [`PART_BYTES`] once an
//! object outgrows one part, so memory stays bounded whatever the sizes.
//!
//! Credentials, region and endpoint come from the standard environment
//! variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `GOOGLE_SERVICE_ACCOUNT`, `AZURE_STORAGE_ACCOUNT_NAME`,
//! …) and from `[storage]` options of the pipeline file, which win.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, ObjectStoreScheme, PutMode};
use quarry_core::{Error, Result};
use tokio::runtime::Handle;
use tokio_util::io::{StreamReader, SyncIoBridge};

pub use object_store::path::Path;
pub use object_store::ObjectMeta;

/// Size of one part of a multipart upload (S3 needs at least 5 MiB).
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// Parts uploaded at once by one writer: bounds a writer's memory to about
/// this many parts plus the one being filled.
const PARTS_IN_FLIGHT: usize = 2;

/// Whether `location` is a URL (`scheme://…`) rather than a local path.
pub fn is_url(location: &str) -> bool {
    match location.split_once("://") {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// A bucket (or container) and a prefix in it, with the client to reach it.
#[derive(Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    /// `scheme://authority` for messages and `source` values.
    base: String,
    /// The folder-like prefix the URL named (may be empty).
    pub prefix: ObjectPath,
    handle: Handle,
    /// The folder behind a local store (whose deletes leave empty folders).
    local_root: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({})", self.url(&self.prefix))
    }
}

impl PartialEq for Remote {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.prefix == other.prefix
    }
}

impl Eq for Remote {}

impl Remote {
    /// Connects to the store a URL names. `options` are object_store
    /// configuration keys (`endpoint`, `region`, `allow_http`, …) that
    /// override the environment. Fails with a message naming the URL.
    pub fn connect(url: &str, options: &BTreeMap<String, String>, handle: Handle) -> Result<Self> {
        let fail = |why: String| Error::Pipeline(format!("{url}: {why}"));
        let parsed = url::Url::parse(url).map_err(|e| fail(format!("not a valid URL: {e}")))?;
        let (scheme, path) = ObjectStoreScheme::parse(&parsed).map_err(|_| {
            fail(format!(
                "unsupported scheme `{}`; use s3://, gs://, az:// or a local path",
                parsed.scheme()
            ))
        })?;
        let prefix = ObjectPath::parse(path.as_ref())
            .map_err(|e| fail(format!("not a valid object path: {e}")))?;
        let store: Arc<dyn ObjectStore> = match scheme {
            ObjectStoreScheme::AmazonS3 => {
                use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
                let mut builder = AmazonS3Builder::from_env().with_url(url);
                let mut endpoint = std::env::var("AWS_ENDPOINT_URL")
                    .or_else(|_| std::env::var("AWS_ENDPOINT"))
                    .ok();
                for (key, value) in options {
                    let parsed: AmazonS3ConfigKey = key.parse().map_err(|_| {
                        fail(format!("storage option `{key}` is not an S3 setting (e.g. endpoint, region, allow_http, access_key_id)"))
                    })?;
                    if matches!(parsed, AmazonS3ConfigKey::Endpoint) {
                        endpoint = Some(value.clone());
                    }
                    builder = builder.with_config(parsed, value);
                }
                // An explicit http:// endpoint (a local S3 server) is a choice,
                // not an accident: allow it without a second setting.
                if endpoint.is_some_and(|e| e.starts_with("http://")) {
                    builder = builder.with_allow_http(true);
                }
                Arc::new(builder.build().map_err(|e| fail(e.to_string()))?)
            }
            ObjectStoreScheme::GoogleCloudStorage => {
                use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
                let mut builder = GoogleCloudStorageBuilder::from_env().with_url(url);
                for (key, value) in options {
                    let parsed: GoogleConfigKey = key.parse().map_err(|_| {
                        fail(format!(
                            "storage option `{key}` is not a Google Cloud Storage setting"
                        ))
                    })?;
                    builder = builder.with_config(parsed, value);
                }
                Arc::new(builder.build().map_err(|e| fail(e.to_string()))?)
            }
            ObjectStoreScheme::MicrosoftAzure => {
                use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
                let mut builder = MicrosoftAzureBuilder::from_env().with_url(url);
                for (key, value) in options {
                    let parsed: AzureConfigKey = key.parse().map_err(|_| {
                        fail(format!(
                            "storage option `{key}` is not an Azure storage setting"
                        ))
                    })?;
                    builder = builder.with_config(parsed, value);
                }
                Arc::new(builder.build().map_err(|e| fail(e.to_string()))?)
            }
            ObjectStoreScheme::Memory => Arc::new(object_store::memory::InMemory::new()),
            ObjectStoreScheme::Local => {
                return Remote::local(std::path::Path::new(&format!("/{path}")), handle)
            }
            other => {
                return Err(fail(format!(
                    "unsupported scheme ({other:?}); use s3://, gs://, az:// or a local path"
                )))
            }
        };
        let base = url[..parsed[..url::Position::BeforePath].len()].to_string();
        Ok(Remote {
            store,
            base,
            prefix,
            handle,
            local_root: None,
        })
    }

    /// A local folder seen through the same interface: sharded runs on a
    /// shared file system use it. The folder is created if missing.
    pub fn local(dir: &std::path::Path, handle: Handle) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| Error::Pipeline(format!("{}: {e}", dir.display())))?;
        Ok(Remote {
            store: Arc::new(store),
            base: dir.display().to_string().trim_end_matches('/').to_string(),
            prefix: ObjectPath::default(),
            handle,
            local_root: Some(dir.to_path_buf()),
        })
    }

    /// The URL (or path) of an object, for messages and `source` values.
    pub fn url(&self, path: &ObjectPath) -> String {
        if path.as_ref().is_empty() {
            self.base.clone()
        } else {
            format!("{}/{}", self.base, path)
        }
    }

    /// `prefix/rel` for a relative `a/b/c` path.
    pub fn child(&self, rel: &str) -> ObjectPath {
        let mut out = self.prefix.clone();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            out = out.clone().join(part);
        }
        out
    }

    /// The same store with `rel` appended to the prefix.
    pub fn at(&self, rel: &str) -> Remote {
        Remote {
            prefix: self.child(rel),
            ..self.clone()
        }
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    fn fail(&self, path: &ObjectPath, e: impl std::fmt::Display) -> Error {
        Error::Pipeline(format!("{}: {e}", self.url(path)))
    }

    /// Every object under `prefix` (recursively), sorted by path.
    pub fn list(&self, prefix: &ObjectPath) -> Result<Vec<ObjectMeta>> {
        let prefix_opt = (!prefix.as_ref().is_empty()).then_some(prefix);
        let mut out: Vec<ObjectMeta> = self
            .handle
            .block_on(self.store.list(prefix_opt).try_collect())
            .map_err(|e| self.fail(prefix, e))?;
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }

    /// The object's metadata, or `None` if there is no such object.
    pub fn head(&self, path: &ObjectPath) -> Result<Option<ObjectMeta>> {
        match self.handle.block_on(self.store.head(path)) {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(path, e)),
        }
    }

    /// A whole (small) object, or `None` if there is no such object.
    pub fn get_bytes(&self, path: &ObjectPath) -> Result<Option<Bytes>> {
        let result = self.handle.block_on(async {
            match self.store.get(path).await {
                Ok(r) => r.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        result.map_err(|e| self.fail(path, e))
    }

    /// Puts a small object, replacing any earlier one.
    pub fn put(&self, path: &ObjectPath, bytes: Vec<u8>) -> Result<()> {
        self.handle
            .block_on(self.store.put(path, bytes.into()))
            .map(|_| ())
            .map_err(|e| self.fail(path, e))
    }

    /// Puts a small object only if none exists: the commit point of a run.
    /// Returns `false` when the object was already there.
    pub fn put_if_absent(&self, path: &ObjectPath, bytes: Vec<u8>) -> Result<bool> {
        let options = object_store::PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        match self
            .handle
            .block_on(self.store.put_opts(path, bytes.into(), options))
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(e) => Err(self.fail(path, e)),
        }
    }

    /// Server-side copy (a hard link on a local file system).
    pub fn copy(&self, from: &ObjectPath, to: &ObjectPath) -> Result<()> {
        self.handle
            .block_on(self.store.copy(from, to))
            .map_err(|e| self.fail(from, format!("copy to {}: {e}", self.url(to))))
    }

    /// Deletes objects; missing ones are no error.
    pub fn delete_all(&self, paths: Vec<ObjectPath>) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        let first = paths[0].clone();
        let stream = futures::stream::iter(paths.into_iter().map(Ok)).boxed();
        let results: Vec<_> = self
            .handle
            .block_on(self.store.delete_stream(stream).collect::<Vec<_>>());
        for result in results {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.fail(&first, e)),
            }
        }
        Ok(())
    }

    /// Removes the empty folders a local store leaves under `prefix` after
    /// deletes (object stores have no folders: nothing to do there).
    pub fn prune_empty_folders(&self, prefix: &ObjectPath) {
        fn prune(dir: &std::path::Path) -> bool {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return false;
            };
            let mut empty = true;
            for entry in entries.flatten() {
                let path = entry.path();
                if !(path.is_dir() && prune(&path)) {
                    empty = false;
                }
            }
            empty && std::fs::remove_dir(dir).is_ok()
        }
        if let Some(root) = &self.local_root {
            let mut dir = root.clone();
            for part in prefix.parts() {
                dir.push(part.as_ref());
            }
            prune(&dir);
        }
    }

    /// A streaming reader of an object's bytes.
    pub fn reader(&self, path: &ObjectPath) -> std::io::Result<Box<dyn Read + Send>> {
        let result = self.handle.block_on(self.store.get(path)).map_err(to_io)?;
        let stream = result.into_stream().map_err(to_io);
        Ok(Box::new(SyncIoBridge::new_with_handle(
            StreamReader::new(stream),
            self.handle.clone(),
        )))
    }

    /// A streaming writer: the object appears whole at [`ObjectWriter::finish`],
    /// never before; [`ObjectWriter::abort`] leaves nothing.
    pub fn writer(&self, path: &ObjectPath) -> ObjectWriter {
        let inner = BufWriter::with_capacity(Arc::clone(&self.store), path.clone(), PART_BYTES)
            .with_max_concurrency(PARTS_IN_FLIGHT);
        ObjectWriter {
            bridge: Some(SyncIoBridge::new_with_handle(inner, self.handle.clone())),
            handle: self.handle.clone(),
            url: self.url(path),
        }
    }
}

fn to_io(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => {
            std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string())
        }
        other => std::io::Error::other(other.to_string()),
    }
}

/// See [`Remote::writer`].
pub struct ObjectWriter {
    bridge: Option<SyncIoBridge<BufWriter>>,
    handle: Handle,
    url: String,
}

impl ObjectWriter {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Completes the upload: the object becomes visible now.
    pub fn finish(mut self) -> Result<()> {
        let mut bridge = self.bridge.take().expect("finished once");
        bridge
            .shutdown()
            .map_err(|e| Error::Pipeline(format!("{}: {e}", self.url)))
    }

    /// Drops the upload (an unfinished multipart upload is aborted).
    pub fn abort(mut self) {
        self.abort_upload();
    }

    fn abort_upload(&mut self) {
        if let Some(bridge) = self.bridge.take() {
            let mut inner = bridge.into_inner();
            let _ = self.handle.block_on(inner.abort());
        }
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        self.abort_upload();
    }
}

impl Write for ObjectWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bridge.as_mut().expect("not finished").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Parts are uploaded as they fill; an explicit flush must not force
        // a small part (S3 refuses parts under 5 MiB but the last).
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(rt: &tokio::runtime::Runtime) -> Remote {
        Remote::connect("memory:///bucket", &BTreeMap::new(), rt.handle().clone()).unwrap()
    }

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_url("s3://bucket/prefix"));
        assert!(is_url("gs://b"));
        assert!(!is_url("out/reports"));
        assert!(!is_url("/abs/path"));
        assert!(!is_url("C:\\data"));
    }

    #[test]
    fn unknown_schemes_and_options_are_named() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let err = Remote::connect("ftp://host/x", &BTreeMap::new(), rt.handle().clone())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ftp://host/x") && err.contains("s3://"),
            "{err}"
        );
        let options: BTreeMap<String, String> = [("colour".into(), "blue".into())].into();
        let err = Remote::connect("s3://bucket/x", &options, rt.handle().clone())
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn a_large_object_streams_out_in_parts_and_back() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let remote = memory(&rt);
        let path = remote.child("out/big.bin");
        let data: Vec<u8> = (0..(PART_BYTES * 2 + 12345))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut writer = remote.writer(&path);
        for chunk in data.chunks(100_000) {
            writer.write_all(chunk).unwrap();
        }
        assert!(
            remote.head(&path).unwrap().is_none(),
            "invisible until finished"
        );
        writer.finish().unwrap();
        let mut back = Vec::new();
        remote
            .reader(&path)
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
        assert_eq!(remote.list(&remote.child("out")).unwrap().len(), 1);
    }

    #[test]
    fn an_aborted_writer_leaves_nothing_and_create_if_absent_refuses_twice() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let remote = memory(&rt);
        let path = remote.child("x");
        let mut writer = remote.writer(&path);
        writer.write_all(b"partial").unwrap();
        writer.abort();
        assert!(remote.head(&path).unwrap().is_none());
        assert!(remote.put_if_absent(&path, b"1".to_vec()).unwrap());
        assert!(!remote.put_if_absent(&path, b"2".to_vec()).unwrap());
        assert_eq!(remote.get_bytes(&path).unwrap().unwrap().as_ref(), b"1");
        remote
            .delete_all(vec![path.clone(), remote.child("missing")])
            .unwrap();
        assert!(remote.get_bytes(&path).unwrap().is_none());
    }
}

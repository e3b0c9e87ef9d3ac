//! benchgate-gen: deterministic, seeded synthetic workloads (SPEC §4.6) for benchmarks that
//! need data: files of a given size and compressibility, directory trees of N files with a
//! size distribution, and disk images (raw or qcow2) holding an ext4 filesystem that looks like
//! an installed distribution. The same seed and parameters give the same bytes, always.
//!
//! - [`content`](mod@content): the byte stream behind every file: 4 KiB blocks, each a random part and a
//!   repeated-pattern part, so a compressor removes about the [`Compressibility`] asked for;
//!   [`content()`] gives bytes in memory for in-process fixtures.
//! - [`generate`] writes a [`Request`] (one output, or a `batch` of them, optionally `varied`)
//!   beside its target and renames it into place only when everything is written, with a
//!   [`Manifest`] (seed, parameters, size and SHA-256 of every file, speed in MB/s).
//! - [`image`] builds ext4 images with e2fsprogs (mkfs.ext4, debugfs) and qemu-img; see there
//!   how their bytes are made reproducible.
//!
//! ```
//! use benchgate_gen::{Compressibility, FileSpec, Request, Spec, content, generate};
//!
//! // In memory: 64 KiB, half of it compressible.
//! let half = Compressibility::new(0.5).unwrap();
//! let bytes = content(42, half, 64 * 1024);
//! assert_eq!(bytes, content(42, half, 64 * 1024));
//!
//! // On disk, with a manifest beside it.
//! let dir = tempfile::tempdir()?;
//! let target = dir.path().join("blob.bin");
//! let request = Request::new(Spec::File(FileSpec { size: 1 << 20, compressibility: half }), 42);
//! let manifest = generate(&request, &target)?;
//! assert_eq!(std::fs::metadata(&target)?.len(), 1 << 20);
//! assert_eq!(manifest.outputs[0].size, 1 << 20);
//! assert!(dir.path().join("blob.bin.manifest.json").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod content;
pub mod distro;
mod error;
pub mod image;
pub mod rng;
pub mod size;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

pub use crate::content::{Compressibility, content};
use crate::content::{ContentStream, hex};
pub use crate::distro::Distro;
pub use crate::error::GenError;
pub use crate::image::{ImageFormat, ImageSpec, ImageTools, Preset};
use crate::rng::{Rng, derive};
use crate::size::{MAX_TOTAL_BYTES, format_size};
pub use crate::size::{SizeDist, parse_size};

/// The most items one `--batch` makes.
pub const MAX_BATCH: u32 = 10_000;
/// The most files in one tree.
pub const MAX_TREE_FILES: u64 = 1_000_000;
/// Files per subdirectory of a tree (`d0000/f000000.bin`, …).
pub const TREE_FANOUT: u64 = 1000;
/// The manifest's format name.
pub const MANIFEST_FORMAT: &str = "benchgate/gen-manifest/v1";

/// One file of `size` bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSpec {
    pub size: u64,
    pub compressibility: Compressibility,
}

/// A directory of `files` files whose sizes are drawn from `sizes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeSpec {
    pub files: u64,
    pub sizes: SizeDist,
    pub compressibility: Compressibility,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Spec {
    File(FileSpec),
    Tree(TreeSpec),
    Image(ImageSpec),
}

impl Spec {
    pub fn kind(&self) -> &'static str {
        match self {
            Spec::File(_) => "file",
            Spec::Tree(_) => "tree",
            Spec::Image(_) => "image",
        }
    }

    /// Checks every parameter against its range; nothing is written before this passes.
    pub fn validate(&self) -> Result<(), GenError> {
        let bad = |message: String| Err(GenError::Parameter(message));
        match self {
            Spec::File(file) => {
                if file.size == 0 {
                    return bad("--size 0: a file must have at least 1 byte".to_owned());
                }
                if file.size > MAX_TOTAL_BYTES {
                    return bad(format!(
                        "--size {}: files are limited to {}",
                        format_size(file.size),
                        format_size(MAX_TOTAL_BYTES)
                    ));
                }
            }
            Spec::Tree(tree) => {
                if tree.files == 0 || tree.files > MAX_TREE_FILES {
                    return bad(format!(
                        "--files {}: a tree has 1 to {MAX_TREE_FILES} files",
                        tree.files
                    ));
                }
            }
            Spec::Image(image) => image.validate()?,
        }
        Ok(())
    }

    /// The bytes this spec writes at most, when it can be known before drawing.
    fn planned_bytes(&self) -> u64 {
        match self {
            Spec::File(file) => file.size,
            Spec::Tree(tree) => match tree.sizes {
                SizeDist::Fixed(size) => size.saturating_mul(tree.files),
                SizeDist::Uniform { high, .. } => high.saturating_mul(tree.files),
                // Drawn first, checked then.
                SizeDist::LogNormal { .. } => 0,
            },
            Spec::Image(image) => image.size,
        }
    }

    /// This spec with its parameters varied by `rng` (`--varied`): sizes and counts scaled by a
    /// factor between ½ and 2 (log-uniform), compressibility anywhere from 0 to 0.9, an image's
    /// distribution any of the four (its size stays).
    fn varied(&self, rng: &mut Rng) -> Spec {
        let mut factor = || 2f64.powf(rng.next_f64() * 2.0 - 1.0);
        let scale = |n: u64, f: f64| ((n as f64 * f).round() as u64).max(1);
        let compressibility = |rng: &mut Rng| {
            let hundredths = rng.below(91);
            Compressibility::new(hundredths as f64 / 100.0)
                .unwrap_or(Compressibility::INCOMPRESSIBLE)
        };
        match self {
            Spec::File(file) => {
                let size = scale(file.size, factor()).min(MAX_TOTAL_BYTES);
                Spec::File(FileSpec {
                    size,
                    compressibility: compressibility(rng),
                })
            }
            Spec::Tree(tree) => {
                let files = scale(tree.files, factor()).min(MAX_TREE_FILES);
                let sizes = tree.sizes.scaled(factor());
                Spec::Tree(TreeSpec {
                    files,
                    sizes,
                    compressibility: compressibility(rng),
                })
            }
            Spec::Image(image) => {
                let (f1, f2) = (factor(), factor());
                let distro = Distro::ALL[rng.below(4) as usize];
                Spec::Image(ImageSpec {
                    distro,
                    packages: scale(u64::from(image.packages), f1)
                        .min(u64::from(image::MAX_PACKAGES)) as u32,
                    user_files: scale(u64::from(image.user_files), f2)
                        .min(u64::from(image::MAX_USER_FILES))
                        as u32,
                    compressibility: compressibility(rng),
                    ..image.clone()
                })
            }
        }
    }
}

/// A generation: a spec, a seed, and how many items.
#[derive(Debug, Clone)]
pub struct Request {
    pub spec: Spec,
    pub seed: u64,
    /// `Some(n)`: a directory of n items (each its own seed, derived from `seed`) and
    /// `manifest.json`; `None`: one output and `TARGET.manifest.json` beside it.
    pub batch: Option<u32>,
    /// Vary each item's parameters (seeded; see [`Spec`]'s variation).
    pub varied: bool,
    /// Replace a target that exists.
    pub replace: bool,
    /// The image tools; found on PATH when `None` (and needed).
    pub tools: Option<ImageTools>,
}

impl Request {
    pub fn new(spec: Spec, seed: u64) -> Request {
        Request {
            spec,
            seed,
            batch: None,
            varied: false,
            replace: false,
            tools: None,
        }
    }
}

/// What a generation wrote: the manifest, written next to the outputs.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub kind: &'static str,
    pub seed: u64,
    pub batch: Option<u32>,
    pub varied: bool,
    /// The parameters asked for (each output says its own when varied).
    pub parameters: Spec,
    pub outputs: Vec<Output>,
    /// Bytes written in all (an image's: its file's length).
    pub total_bytes: u64,
    pub seconds: f64,
    /// Generation speed in MB (10^6 bytes) per second: the bytes of the files, trees and
    /// (virtual) disks made over the seconds it took, hashing included.
    pub mb_per_s: f64,
    /// The versions of the programs used (images).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, String>,
}

/// One output: a file, a tree (with every file in it) or an image.
#[derive(Debug, Clone, Serialize)]
pub struct Output {
    /// Relative to the manifest's directory.
    pub path: String,
    pub seed: u64,
    pub parameters: Spec,
    /// The file's length; a tree's: its files' total.
    pub size: u64,
    /// An image's disk size (a qcow2 file's length is less).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_size: Option<u64>,
    /// The file's SHA-256 (absent for a tree: see `files`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Relative to the tree.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The manifest's path for an output written alone at `target`.
pub fn manifest_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest.json");
    target.with_file_name(name)
}

/// Generates `request` at `target`: everything is written into a temporary directory beside
/// it and renamed into place at the end, so a failure leaves nothing behind.
pub fn generate(request: &Request, target: &Path) -> Result<Manifest, GenError> {
    let started = Instant::now();
    request.spec.validate()?;
    let items = request.batch.unwrap_or(1);
    if items == 0 || items > MAX_BATCH {
        return Err(GenError::Parameter(format!(
            "--batch {items}: a batch has 1 to {MAX_BATCH} items"
        )));
    }
    // --varied scales a file's size, and a tree's count and sizes, by up to 2 each.
    let growth = match (&request.spec, request.varied) {
        (Spec::File(_), true) => 2,
        (Spec::Tree(_), true) => 4,
        _ => 1,
    };
    let planned = request
        .spec
        .planned_bytes()
        .saturating_mul(u64::from(items) * growth);
    if planned > MAX_TOTAL_BYTES {
        return Err(GenError::Parameter(format!(
            "this would write up to {}; one generation is limited to {}",
            format_size(planned),
            format_size(MAX_TOTAL_BYTES)
        )));
    }
    let tools = match (&request.spec, &request.tools) {
        (Spec::Image(_), Some(tools)) => Some(tools.clone()),
        // The format is never varied: one set of tools serves every item.
        (Spec::Image(image), None) => Some(ImageTools::locate(image.format)?),
        _ => None,
    };
    let exists = |path: &Path| path.symlink_metadata().is_ok();
    let manifest_target = manifest_path(target);
    if !request.replace && (exists(target) || (request.batch.is_none() && exists(&manifest_target)))
    {
        let path = if exists(target) {
            target
        } else {
            &manifest_target
        };
        return Err(GenError::Exists {
            path: path.to_path_buf(),
        });
    }
    if request.replace && target.is_dir() && !is_generated_dir(target, request.batch.is_some()) {
        return Err(GenError::Parameter(format!(
            "{} is a directory that benchgate gen did not make (it has no manifest): --force \
             replaces only gen's own outputs; remove it yourself if it should go",
            target.display()
        )));
    }
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| GenError::Parameter(format!("{}: not a file name", target.display())))?;
    // Every item's seed, parameters and size first: a limit is met or refused before anything
    // is drawn.
    let mut plan = Vec::with_capacity(items as usize);
    let mut drawn = 0u64;
    let mut needed = 0u64;
    for index in 0..items {
        let (item_seed, spec) = match request.batch {
            None => (request.seed, request.spec.clone()),
            Some(_) => {
                let item_seed = derive(request.seed, "item", u64::from(index));
                let spec = if request.varied {
                    request.spec.varied(&mut Rng::new(derive(
                        request.seed,
                        "vary",
                        u64::from(index),
                    )))
                } else {
                    request.spec.clone()
                };
                (item_seed, spec)
            }
        };
        spec.validate()?;
        let item_bytes = match &spec {
            Spec::File(file) => file.size,
            Spec::Tree(tree) => tree_sizes(item_seed, tree)
                .into_iter()
                .fold(0u64, u64::saturating_add),
            Spec::Image(image) => image.size,
        };
        drawn = drawn.saturating_add(item_bytes);
        if drawn > MAX_TOTAL_BYTES {
            return Err(GenError::Parameter(format!(
                "the items drawn add up to more than {}, the limit of one generation",
                format_size(MAX_TOTAL_BYTES)
            )));
        }
        needed = needed.saturating_add(match &spec {
            // Each file takes whole blocks.
            Spec::Tree(tree) => item_bytes.saturating_add(tree.files.saturating_mul(4096)),
            Spec::Image(image) => image.disk_needed(),
            Spec::File(_) => item_bytes,
        });
        plan.push((index, item_seed, spec));
    }
    if let Some(free) = free_space(&parent)
        && needed > free
    {
        return Err(GenError::Parameter(format!(
            "not enough space in {}: this needs up to {}, {} is free",
            parent.display(),
            format_size(needed),
            format_size(free)
        )));
    }
    let work = WorkDir::create(&parent, &name.to_string_lossy()).map_err(|source| {
        GenError::Unwritable {
            path: parent.clone(),
            source,
        }
    })?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenError::Io { path, source }
    };

    let out = work.path().join("out");
    let mut outputs = Vec::new();
    let width = items.to_string().len().max(4);
    if request.batch.is_some() {
        fs::create_dir(&out).map_err(io(&out))?;
    }
    for (index, item_seed, spec) in plan {
        let (path, name) = match request.batch {
            None => (out.clone(), name.to_string_lossy().into_owned()),
            Some(_) => {
                let name = match &spec {
                    Spec::File(_) => format!("file-{:0width$}.bin", index + 1),
                    Spec::Tree(_) => format!("tree-{:0width$}", index + 1),
                    Spec::Image(image) => {
                        format!("image-{:0width$}.{}", index + 1, image.format.extension())
                    }
                };
                (out.join(&name), name)
            }
        };
        let output = match &spec {
            Spec::File(file) => {
                let digest = write_file(&path, item_seed, file.size, file.compressibility)?;
                Output {
                    path: name,
                    seed: item_seed,
                    parameters: spec.clone(),
                    size: file.size,
                    virtual_size: None,
                    sha256: Some(hex(&digest)),
                    files: Vec::new(),
                }
            }
            Spec::Tree(tree) => {
                let files = write_tree(&path, item_seed, tree)?;
                Output {
                    path: name,
                    seed: item_seed,
                    parameters: spec.clone(),
                    size: files.iter().map(|f| f.size).sum(),
                    virtual_size: None,
                    sha256: None,
                    files,
                }
            }
            Spec::Image(image) => {
                let scratch = work.path().join(format!("scratch-{index}"));
                fs::create_dir(&scratch).map_err(io(&scratch))?;
                // `tools` is Some for images (found above).
                let tools = tools.as_ref().ok_or(GenError::MissingTool {
                    tool: "mkfs.ext4",
                    package: "e2fsprogs",
                })?;
                image::build(image, item_seed, tools, &scratch, &path)?;
                fs::remove_dir_all(&scratch).map_err(io(&scratch))?;
                let (size, digest) = hash_file(&path)?;
                Output {
                    path: name,
                    seed: item_seed,
                    parameters: spec.clone(),
                    size,
                    virtual_size: Some(image.size),
                    sha256: Some(hex(&digest)),
                    files: Vec::new(),
                }
            }
        };
        outputs.push(output);
    }

    let total_bytes: u64 = outputs.iter().map(|o| o.size).sum();
    // An image's speed counts the disk it makes (a qcow2 file is smaller than its disk).
    let generated: u64 = outputs
        .iter()
        .map(|o| o.virtual_size.unwrap_or(o.size))
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        kind: request.spec.kind(),
        seed: request.seed,
        batch: request.batch,
        varied: request.varied,
        parameters: request.spec.clone(),
        outputs,
        total_bytes,
        seconds,
        mb_per_s: if seconds > 0.0 {
            generated as f64 / 1e6 / seconds
        } else {
            0.0
        },
        tools: tools
            .map(|t| t.versions().into_iter().collect())
            .unwrap_or_default(),
    };
    let mut json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    json.push('\n');
    let manifest_file = match request.batch {
        Some(_) => out.join("manifest.json"),
        None => work.path().join("manifest.json"),
    };
    fs::write(&manifest_file, json).map_err(io(&manifest_file))?;

    if request.replace {
        remove_existing(target).map_err(io(target))?;
        if request.batch.is_none() {
            remove_existing(&manifest_target).map_err(io(&manifest_target))?;
        }
    }
    fs::rename(&out, target).map_err(io(target))?;
    if request.batch.is_none()
        && let Err(source) = fs::rename(&manifest_file, &manifest_target)
    {
        let _ = remove_existing(target);
        return Err(GenError::Io {
            path: manifest_target,
            source,
        });
    }
    Ok(manifest)
}

/// The temporary directory beside the target that everything is written into first; removed
/// when dropped (after a failure: nothing is left behind).
struct WorkDir(PathBuf);

impl WorkDir {
    fn create(parent: &Path, name: &str) -> std::io::Result<WorkDir> {
        remove_abandoned(parent, name);
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let path = parent.join(format!(".{name}.gen-{pid}-{attempt}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(WorkDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

/// Removes the work directories for `name` that a killed generation left (`.NAME.gen-PID-N`
/// whose process no longer runs): a signal stops a generation before it can clean up.
fn remove_abandoned(parent: &Path, name: &str) {
    let prefix = format!(".{name}.gen-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The bytes an unprivileged user may still write on the filesystem holding `dir`; `None`
/// when it cannot be asked.
fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain old data; zeroed is a valid value to be overwritten.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string and `stats` a valid statvfs to fill.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

/// Whether `dir` is what gen writes: a batch directory holding its manifest.json, or a tree
/// with its manifest beside it.
fn is_generated_dir(dir: &Path, batch: bool) -> bool {
    if batch {
        dir.join("manifest.json").is_file()
    } else {
        manifest_path(dir).is_file()
    }
}

fn remove_existing(path: &Path) -> std::io::Result<()> {
    match path.symlink_metadata() {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `len` bytes of the content of `seed` to `path`; returns their SHA-256.
pub fn write_file(
    path: &Path,
    seed: u64,
    len: u64,
    compressibility: Compressibility,
) -> Result<[u8; 32], GenError> {
    let io = |source| GenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::create(path).map_err(io)?;
    ContentStream::new(seed, compressibility)
        .write_to(&mut file, len)
        .map_err(io)
}

/// The sizes of a tree's files, drawn from its seed.
pub fn tree_sizes(seed: u64, tree: &TreeSpec) -> Vec<u64> {
    let mut rng = Rng::new(derive(seed, "tree-sizes", 0));
    (0..tree.files)
        .map(|_| tree.sizes.sample(&mut rng))
        .collect()
}

/// Writes a tree at `root` (created): `d0000/f000000.bin`, … with at most [`TREE_FANOUT`] files
/// per directory.
pub fn write_tree(root: &Path, seed: u64, tree: &TreeSpec) -> Result<Vec<FileEntry>, GenError> {
    let sizes = tree_sizes(seed, tree);
    let total = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(*s));
    if total > MAX_TOTAL_BYTES {
        return Err(GenError::Parameter(format!(
            "the tree's {} files draw {} in all; a tree is limited to {}",
            tree.files,
            format_size(total),
            format_size(MAX_TOTAL_BYTES)
        )));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenError::Io { path, source }
    };
    fs::create_dir(root).map_err(io(root))?;
    let mut files = Vec::with_capacity(sizes.len());
    for (i, size) in sizes.into_iter().enumerate() {
        let i = i as u64;
        let dir = format!("d{:04}", i / TREE_FANOUT);
        if i.is_multiple_of(TREE_FANOUT) {
            let path = root.join(&dir);
            fs::create_dir(&path).map_err(io(&path))?;
        }
        let relative = format!("{dir}/f{i:06}.bin");
        let digest = write_file(
            &root.join(&relative),
            derive(seed, "tree-file", i),
            size,
            tree.compressibility,
        )?;
        files.push(FileEntry {
            path: relative,
            size,
            sha256: hex(&digest),
        });
    }
    Ok(files)
}

/// A file's length and SHA-256.
fn hash_file(path: &Path) -> Result<(u64, [u8; 32]), GenError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let io = |source| GenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        len += n as u64;
    }
    Ok((len, hasher.finalize().into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_what_df_says() {
        let free = free_space(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let output = std::process::Command::new("df")
            .args(["--output=avail", "-B1", env!("CARGO_MANIFEST_DIR")])
            .output()
            .unwrap();
        let df: u64 = String::from_utf8_lossy(&output.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Other writers may change it in between: within 1 GiB.
        assert!(free.abs_diff(df) < 1 << 30, "statvfs {free}, df {df}");
        assert!(free_space(Path::new("/no/such/dir")).is_none());
    }
}

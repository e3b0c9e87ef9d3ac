//! Disk images: an ext4 filesystem made by e2fsprogs in a raw file, converted to qcow2 by
//! qemu-img when asked.
//!
//! Reproducible bytes take care: mkfs.ext4 embeds a UUID, a directory-hash seed and
//! timestamps, and `mkfs.ext4 -d DIR` copies each file's ctime (which no one can set) and
//! adds files in the order the host filesystem lists them (tmpfs and ext4 list the same files
//! in different orders, so the same tree staged on each gives different images). So:
//! - mkfs.ext4 runs on an empty file with `-U` and `-E hash_seed=` derived from the seed,
//!   E2FSPROGS_FAKE_TIME and SOURCE_DATE_EPOCH set to [`EPOCH`], and a mke2fs.conf of our
//!   own (MKE2FS_CONFIG), so the host's /etc/mke2fs.conf does not choose the features;
//! - debugfs then creates the directories and writes the files in sorted order, and sets every
//!   inode's owner, mode and four timestamps to fixed values;
//! - qemu-img convert is deterministic for the same raw input (checked by the tests).
//!
//! The same seed and parameters give the same bytes with the same e2fsprogs version; the
//! manifest records the versions used.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::content::{Compressibility, ContentStream};
use crate::distro::Distro;
use crate::error::GenError;
use crate::rng::{Rng, derive};
use crate::size::{GIB, MIB, format_size};

/// Every timestamp in an image: 2024-01-01T00:00:00Z.
pub const EPOCH: u64 = 1_704_067_200;

/// The smallest and largest image.
pub const MIN_IMAGE: u64 = MIB;
pub const MAX_IMAGE: u64 = 64 * GIB;
pub const MAX_PACKAGES: u32 = 100_000;
pub const MAX_USER_FILES: u32 = 100_000;

/// The image sizes `--preset` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// 1 MiB
    Minimal,
    /// 10 MiB
    Small,
    /// 100 MiB
    Medium,
    /// 1 GiB
    Large,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Minimal,
        Preset::Small,
        Preset::Medium,
        Preset::Large,
    ];

    pub fn size(self) -> u64 {
        match self {
            Preset::Minimal => MIB,
            Preset::Small => 10 * MIB,
            Preset::Medium => 100 * MIB,
            Preset::Large => GIB,
        }
    }

    /// How many packages and user files an image of this preset holds by default.
    pub fn default_counts(self) -> (u32, u32) {
        match self {
            Preset::Minimal => (40, 16),
            Preset::Small => (150, 64),
            Preset::Medium => (400, 256),
            Preset::Large => (1000, 1024),
        }
    }

    /// The preset whose defaults suit an image of `size`: the largest not bigger than it.
    pub fn for_size(size: u64) -> Preset {
        Preset::ALL
            .into_iter()
            .rev()
            .find(|p| p.size() <= size)
            .unwrap_or(Preset::Minimal)
    }
}

/// raw: the filesystem itself; qcow2: the same converted by qemu-img (no compression).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Raw,
    Qcow2,
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Raw => "raw",
            ImageFormat::Qcow2 => "qcow2",
        }
    }
}

/// A disk image: its size, distribution, package count, user files and how full they make it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageSpec {
    /// The virtual disk's size in bytes (the raw file's length), a multiple of 4 KiB.
    pub size: u64,
    pub distro: Distro,
    pub format: ImageFormat,
    /// Packages in the package database.
    pub packages: u32,
    /// Files under /home/user/data.
    pub user_files: u32,
    /// What fraction of the image the user files fill together (sizes log-normal, σ = 1).
    pub fill: f64,
    pub compressibility: Compressibility,
}

impl ImageSpec {
    /// An image of a preset's size with its default counts, half full, half compressible.
    pub fn preset(preset: Preset, distro: Distro, format: ImageFormat) -> ImageSpec {
        ImageSpec::sized(preset.size(), distro, format)
    }

    /// An image of `size` bytes with the defaults of [`Preset::for_size`].
    pub fn sized(size: u64, distro: Distro, format: ImageFormat) -> ImageSpec {
        let (packages, user_files) = Preset::for_size(size).default_counts();
        ImageSpec {
            size,
            distro,
            format,
            packages,
            user_files,
            fill: 0.5,
            compressibility: Compressibility::new(0.5).unwrap_or(Compressibility::INCOMPRESSIBLE),
        }
    }

    /// The disk space making it can take at most: the staged user files, the raw image (sparse,
    /// at most its size) and for qcow2 the converted copy beside it.
    pub fn disk_needed(&self) -> u64 {
        let staged = (self.size as f64 * self.fill) as u64;
        let copies = match self.format {
            ImageFormat::Raw => 1,
            ImageFormat::Qcow2 => 2,
        };
        staged.saturating_add(self.size.saturating_mul(copies))
    }

    pub fn validate(&self) -> Result<(), GenError> {
        let bad = |message: String| Err(GenError::Parameter(message));
        if self.size < MIN_IMAGE || self.size > MAX_IMAGE {
            return bad(format!(
                "image size {} is out of range: {} to {}",
                format_size(self.size),
                format_size(MIN_IMAGE),
                format_size(MAX_IMAGE)
            ));
        }
        if !self.size.is_multiple_of(4096) {
            return bad(format!(
                "image size {} bytes is not a whole number of 4 KiB blocks",
                self.size
            ));
        }
        if self.packages > MAX_PACKAGES {
            return bad(format!(
                "--packages {} is above the limit of {MAX_PACKAGES}",
                self.packages
            ));
        }
        if self.user_files > MAX_USER_FILES {
            return bad(format!(
                "--files {} is above the limit of {MAX_USER_FILES}",
                self.user_files
            ));
        }
        if !(0.0..=0.8).contains(&self.fill) {
            return bad(format!("--fill {} is out of range: 0 to 0.8", self.fill));
        }
        // mke2fs gives one inode per 8 KiB below 3 MiB, per 4 KiB below 512 MiB, per 16 KiB
        // above (the mke2fs.conf below); 11 inodes are reserved.
        let ratio = if self.size < 3 * MIB {
            8192
        } else if self.size < 512 * MIB {
            4096
        } else {
            16384
        };
        let inodes = self.size / ratio;
        let needed =
            11 + u64::from(self.user_files) + 16 + u64::from(self.user_files).div_ceil(1000);
        if needed > inodes {
            return bad(format!(
                "{} user files do not fit an image of {}: it has {inodes} inodes; \
                 use fewer --files or a larger size",
                self.user_files,
                format_size(self.size)
            ));
        }
        Ok(())
    }
}

/// The e2fsprogs and qemu-img programs an image is made with.
#[derive(Debug, Clone)]
pub struct ImageTools {
    pub mkfs_ext4: PathBuf,
    pub debugfs: PathBuf,
    /// Only needed for qcow2.
    pub qemu_img: Option<PathBuf>,
}

impl ImageTools {
    /// Finds the tools on PATH, then in /usr/sbin and /sbin (not on every user's PATH).
    pub fn locate(format: ImageFormat) -> Result<ImageTools, GenError> {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect())
            .unwrap_or_default();
        dirs.extend([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")]);
        ImageTools::locate_in(&dirs, format)
    }

    /// Finds the tools in `dirs`, in order.
    pub fn locate_in(dirs: &[PathBuf], format: ImageFormat) -> Result<ImageTools, GenError> {
        let find = |name: &'static str, package: &'static str| {
            dirs.iter()
                .map(|dir| dir.join(name))
                .find(|path| is_executable(path))
                .ok_or(GenError::MissingTool {
                    tool: name,
                    package,
                })
        };
        Ok(ImageTools {
            mkfs_ext4: find("mkfs.ext4", "e2fsprogs")?,
            debugfs: find("debugfs", "e2fsprogs")?,
            qemu_img: match format {
                ImageFormat::Raw => None,
                ImageFormat::Qcow2 => Some(find("qemu-img", "qemu-utils")?),
            },
        })
    }

    /// The tools' versions, for the manifest.
    pub fn versions(&self) -> Vec<(String, String)> {
        let mut versions = vec![(
            "mkfs.ext4".to_owned(),
            first_line_of(&self.mkfs_ext4, &["-V"]),
        )];
        if let Some(qemu_img) = &self.qemu_img {
            versions.push((
                "qemu-img".to_owned(),
                first_line_of(qemu_img, &["--version"]),
            ));
        }
        versions
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The first line a tool prints (mke2fs prints its version on standard error).
fn first_line_of(program: &Path, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|output| {
            let text = [output.stdout, output.stderr].concat();
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .unwrap_or_default()
}

/// Our own mke2fs.conf: Debian 12's defaults, pinned so the host's file cannot change them.
const MKE2FS_CONF: &str = "[defaults]
\tbase_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
\tdefault_mntopts = acl,user_xattr
\tenable_periodic_fsck = 0
\tblocksize = 4096
\tinode_size = 256
\tinode_ratio = 16384

[fs_types]
\text4 = {
\t\tfeatures = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
\t}
\tsmall = {
\t\tblocksize = 1024
\t\tinode_ratio = 4096
\t}
\tfloppy = {
\t\tblocksize = 1024
\t\tinode_ratio = 8192
\t}
\tbig = {
\t\tinode_ratio = 32768
\t}
\thuge = {
\t\tinode_ratio = 65536
\t}
";

/// A file of the image, staged on the host.
struct Entry {
    path: String,
    source: PathBuf,
    owner: u32,
}

/// What a file of the image holds.
enum Contents {
    Text(String),
    /// Content of the image's compressibility.
    Generated {
        seed: u64,
        len: u64,
    },
}

/// A UUID (version 4 layout) from the seed.
fn uuid(seed: u64, tag: &str) -> String {
    let mut bytes = [0u8; 16];
    Rng::new(derive(seed, tag, 0)).fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::content::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The sizes of `count` user files sharing `budget` bytes: log-normal weights (σ = 1), scaled to
/// add up to the budget exactly.
fn user_file_sizes(seed: u64, count: u32, budget: u64) -> Vec<u64> {
    let mut rng = Rng::new(derive(seed, "user-file-sizes", 0));
    let weights: Vec<f64> = (0..count).map(|_| rng.normal().exp()).collect();
    let total: f64 = weights.iter().sum();
    let mut sizes: Vec<u64> = weights
        .iter()
        .map(|w| (budget as f64 * w / total).floor() as u64)
        .collect();
    let given: u64 = sizes.iter().sum();
    if let Some(first) = sizes.first_mut() {
        *first += budget.saturating_sub(given);
    }
    sizes
}

/// Builds the image of `spec` and `seed` at `out`, using `scratch` (an empty directory that
/// the caller removes) for staging.
pub fn build(
    spec: &ImageSpec,
    seed: u64,
    tools: &ImageTools,
    scratch: &Path,
    out: &Path,
) -> Result<(), GenError> {
    spec.validate()?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenError::Io { path, source }
    };
    let stage = scratch.join("stage");
    fs::create_dir_all(&stage).map_err(io(&stage))?;
    let distro = spec.distro;
    let mut rng = Rng::new(derive(seed, "image-identity", 0));
    let hostname = format!("{}-{:06x}", distro.name(), rng.below(1 << 24));
    let mut machine_id = [0u8; 16];
    rng.fill(&mut machine_id);
    let mut files: Vec<(String, u32, Contents)> = vec![
        (
            "/etc/hostname".into(),
            0,
            Contents::Text(format!("{hostname}\n")),
        ),
        (
            "/etc/os-release".into(),
            0,
            Contents::Text(distro.os_release().into()),
        ),
        (
            "/etc/machine-id".into(),
            0,
            Contents::Text(format!("{}\n", crate::content::hex(&machine_id))),
        ),
        (
            distro.package_db_path().into(),
            0,
            Contents::Text(distro.package_db(derive(seed, "package-db", 0), spec.packages)),
        ),
    ];
    let budget = (spec.size as f64 * spec.fill) as u64;
    for (i, len) in user_file_sizes(seed, spec.user_files, budget)
        .into_iter()
        .enumerate()
    {
        let path = format!("/home/user/data/{:03}/file-{i:06}.bin", i / 1000);
        let seed = derive(seed, "user-file", i as u64);
        files.push((path, 1000, Contents::Generated { seed, len }));
    }
    let mut entries = Vec::with_capacity(files.len());
    for (index, (path, owner, contents)) in files.into_iter().enumerate() {
        let source = stage.join(format!("{index:06}"));
        match contents {
            Contents::Text(text) => fs::write(&source, text).map_err(io(&source))?,
            Contents::Generated { seed, len } => {
                let mut file = fs::File::create(&source).map_err(io(&source))?;
                ContentStream::new(seed, spec.compressibility)
                    .write_to(&mut file, len)
                    .map_err(io(&source))?;
            }
        }
        entries.push(Entry {
            path,
            source,
            owner,
        });
    }

    // Every directory on the way to a file, parents first (sorting does that).
    let mut dirs: Vec<(String, u32)> = Vec::new();
    for entry in &entries {
        let mut at = entry.path.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if parent.is_empty() {
                break;
            }
            let owner = if parent.starts_with("/home/user") {
                1000
            } else {
                0
            };
            dirs.push((parent.to_owned(), owner));
            at = parent;
        }
    }
    dirs.sort();
    dirs.dedup();
    entries.sort_by(|a, b| a.path.cmp(&b.path));

    let mut script = String::new();
    for (dir, _) in &dirs {
        let _ = writeln!(script, "mkdir {dir}");
    }
    for entry in &entries {
        let _ = writeln!(script, "write {} {}", entry.source.display(), entry.path);
    }
    let all = std::iter::once(("/".to_owned(), 0o040755, 0))
        .chain(
            dirs.iter()
                .map(|(dir, owner)| (dir.clone(), 0o040755, *owner)),
        )
        .chain(entries.iter().map(|e| (e.path.clone(), 0o100644, e.owner)));
    for (path, mode, owner) in all {
        let _ = writeln!(script, "sif {path} mode 0{mode:o}");
        let _ = writeln!(script, "sif {path} uid {owner}");
        let _ = writeln!(script, "sif {path} gid {owner}");
        for field in ["atime", "mtime", "ctime", "crtime"] {
            let _ = writeln!(script, "sif {path} {field} @{EPOCH}");
        }
    }
    let script_path = scratch.join("debugfs.script");
    fs::write(&script_path, script).map_err(io(&script_path))?;
    let conf_path = scratch.join("mke2fs.conf");
    fs::write(&conf_path, MKE2FS_CONF).map_err(io(&conf_path))?;

    let raw = match spec.format {
        ImageFormat::Raw => out.to_path_buf(),
        ImageFormat::Qcow2 => scratch.join("image.raw"),
    };
    let file = fs::File::create(&raw).map_err(io(&raw))?;
    file.set_len(spec.size).map_err(io(&raw))?;
    drop(file);

    let epoch = EPOCH.to_string();
    let deterministic = |program: &Path| {
        let mut command = Command::new(program);
        command
            .env("MKE2FS_CONFIG", &conf_path)
            .env("E2FSPROGS_FAKE_TIME", &epoch)
            .env("SOURCE_DATE_EPOCH", &epoch)
            .env("LC_ALL", "C")
            .env("TZ", "UTC");
        command
    };
    let label = format!("{}-root", distro.name());
    let mut mkfs = deterministic(&tools.mkfs_ext4);
    mkfs.args([
        "-q",
        "-F",
        "-t",
        "ext4",
        "-L",
        &label,
        "-U",
        &uuid(seed, "fs-uuid"),
        "-E",
    ])
    .arg(format!(
        "hash_seed={},root_owner=0:0",
        uuid(seed, "hash-seed")
    ))
    .arg(&raw);
    run("mkfs.ext4", &mut mkfs, false)?;
    let mut debugfs = deterministic(&tools.debugfs);
    debugfs.arg("-w").arg("-f").arg(&script_path).arg(&raw);
    run("debugfs", &mut debugfs, true).map_err(|error| match error {
        GenError::Tool { message, .. }
            if message.contains("Could not allocate") || message.contains("No free space") =>
        {
            GenError::Parameter(format!(
                "the files do not fit an image of {}: use a smaller --fill, fewer --files or \
                 --packages, or a larger size (debugfs: {message})",
                format_size(spec.size)
            ))
        }
        other => other,
    })?;
    if let (ImageFormat::Qcow2, Some(qemu_img)) = (spec.format, &tools.qemu_img) {
        let mut convert = Command::new(qemu_img);
        convert
            .args(["convert", "-q", "-f", "raw", "-O", "qcow2"])
            .arg(&raw)
            .arg(out);
        run("qemu-img", &mut convert, false)?;
        fs::remove_file(&raw).map_err(io(&raw))?;
    }
    fs::remove_dir_all(&stage).map_err(io(&stage))?;
    Ok(())
}

/// Runs a tool; a failure, or (for debugfs, which exits 0 after failed commands) anything on
/// standard error but its banner, is an error quoting what it said.
fn run(tool: &'static str, command: &mut Command, stderr_is_failure: bool) -> Result<(), GenError> {
    let output = command.output().map_err(|source| GenError::Io {
        path: PathBuf::from(command.get_program()),
        source,
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let complaints: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("debugfs ") && !l.starts_with("mke2fs "))
        .collect();
    if !output.status.success() || (stderr_is_failure && !complaints.is_empty()) {
        let mut message = complaints
            .iter()
            .take(3)
            .copied()
            .collect::<Vec<_>>()
            .join("; ");
        if message.is_empty() {
            message = format!("exited with {}", output.status);
        }
        return Err(GenError::Tool { tool, message });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_file_sizes_add_up_to_the_budget() {
        let sizes = user_file_sizes(4, 100, 1_000_000);
        assert_eq!(sizes.len(), 100);
        assert_eq!(sizes.iter().sum::<u64>(), 1_000_000);
        assert!(sizes.iter().max() > sizes.iter().min());
    }

    #[test]
    fn uuids_are_version_4_shaped_and_seeded() {
        let id = uuid(1, "fs-uuid");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(id, uuid(1, "fs-uuid"));
        assert_ne!(id, uuid(2, "fs-uuid"));
    }

    #[test]
    fn presets_choose_defaults_by_size() {
        assert_eq!(Preset::for_size(MIB), Preset::Minimal);
        assert_eq!(Preset::for_size(50 * MIB), Preset::Small);
        assert_eq!(Preset::for_size(5 * GIB), Preset::Large);
    }
}

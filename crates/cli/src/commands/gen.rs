//! `benchgate gen file | tree | image`: benchgate-gen's seeded workloads (SPEC §4.6) from the
//! command line. The library does the work and the checks; this maps flags onto its request
//! and says what was written and how fast.

use std::path::PathBuf;

use anyhow::Context;
use benchgate_gen::size::format_size;
use benchgate_gen::{
    Compressibility, Distro, FileSpec, ImageFormat, ImageSpec, Preset, Request, SizeDist, Spec,
    TreeSpec, generate, manifest_path,
};
use benchgate_model::Outcome;
use clap::{Args, Subcommand, ValueEnum};

use crate::cli::GlobalArgs;
use crate::output::{eprint_line, print};

#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// A file of --size bytes, --compressibility of it compressible
    File {
        /// The file's size, e.g. 4096, 64KiB, 10MiB, 1GiB or 100MB (at most 64 GiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        size: u64,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// A directory of --files files, their sizes drawn from --sizes
    ///
    /// Files are d0000/f000000.bin, d0000/f000001.bin, …, 1000 to a subdirectory.
    Tree {
        /// How many files (1 to 1000000).
        #[arg(long, value_name = "N")]
        files: u64,
        /// Their sizes: fixed(SIZE), uniform(SIZE, SIZE) or lognormal(median=SIZE, sigma=F).
        #[arg(long, value_name = "DIST", default_value = "lognormal(median=16KiB, sigma=1)",
              value_parser = parse_size_dist)]
        sizes: SizeDist,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// A disk image (raw or qcow2) holding an ext4 filesystem of a distribution
    ///
    /// The filesystem has /etc/hostname, /etc/os-release and /etc/machine-id of the
    /// distribution, its package database with --packages packages (/var/lib/dpkg/status,
    /// /lib/apk/db/installed, or an `rpm -qa` list in /var/lib/rpm/rpm-qa.txt for fedora) and
    /// --files user files under /home/user/data filling --fill of the image. Made with
    /// mkfs.ext4 and debugfs (e2fsprogs); qcow2 with qemu-img.
    Image {
        /// The image's size by name: minimal 1 MiB, small 10 MiB, medium 100 MiB, large 1 GiB.
        #[arg(
            long,
            value_enum,
            value_name = "PRESET",
            required_unless_present = "size",
            conflicts_with = "size"
        )]
        preset: Option<PresetArg>,
        /// Any size instead, 1 MiB to 64 GiB, a multiple of 4 KiB.
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        size: Option<u64>,
        /// The distribution it imitates.
        #[arg(long, value_enum, value_name = "DISTRO", default_value = "debian")]
        distro: DistroArg,
        /// raw (the filesystem itself) or qcow2.
        #[arg(long, value_enum, value_name = "FORMAT", default_value = "raw")]
        format: FormatArg,
        /// Packages in the package database [default: 40, 150, 400, 1000 by size].
        #[arg(long, value_name = "N")]
        packages: Option<u32>,
        /// User files [default: 16, 64, 256, 1024 by size].
        #[arg(long, value_name = "N")]
        files: Option<u32>,
        /// The fraction of the image the user files fill together (0 to 0.8).
        #[arg(long, value_name = "FRACTION", default_value_t = 0.5)]
        fill: f64,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Where to write: the file, tree or image (its manifest goes to PATH.manifest.json), or
    /// with --batch a directory of the items and manifest.json.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: PathBuf,
    /// The seed: the same seed and parameters give the same bytes.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// How much of the content a compressor can remove: 0 (none) to 1, or a percentage.
    #[arg(long, value_name = "FRACTION", default_value = "0.5", value_parser = parse_compressibility)]
    pub compressibility: Compressibility,
    /// Make N items (each its own seed, derived from --seed), 1 to 10000.
    #[arg(long, value_name = "N")]
    pub batch: Option<u32>,
    /// With --batch: vary each item's parameters (sizes and counts ½× to 2×, compressibility
    /// 0 to 0.9, an image's distribution), seeded too.
    #[arg(long, requires = "batch")]
    pub varied: bool,
    /// Replace PATH if it exists (a directory only if gen made it: it has its manifest).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PresetArg {
    Minimal,
    Small,
    Medium,
    Large,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DistroArg {
    Ubuntu,
    Debian,
    Fedora,
    Alpine,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Raw,
    Qcow2,
}

fn parse_size(text: &str) -> Result<u64, String> {
    benchgate_gen::parse_size(text).map_err(|e| e.expected)
}

fn parse_size_dist(text: &str) -> Result<SizeDist, String> {
    SizeDist::parse(text).map_err(|e| e.expected)
}

fn parse_compressibility(text: &str) -> Result<Compressibility, String> {
    Compressibility::parse(text).map_err(|e| e.expected)
}

pub fn execute(command: &GenCommand, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let (spec, common) = match command {
        GenCommand::File { size, common } => (
            Spec::File(FileSpec {
                size: *size,
                compressibility: common.compressibility,
            }),
            common,
        ),
        GenCommand::Tree {
            files,
            sizes,
            common,
        } => (
            Spec::Tree(TreeSpec {
                files: *files,
                sizes: *sizes,
                compressibility: common.compressibility,
            }),
            common,
        ),
        GenCommand::Image {
            preset,
            size,
            distro,
            format,
            packages,
            files,
            fill,
            common,
        } => {
            let size = match (preset, size) {
                (Some(preset), _) => Preset::from(*preset).size(),
                (None, Some(size)) => *size,
                (None, None) => anyhow::bail!("gen image needs --preset or --size"),
            };
            let mut image = ImageSpec::sized(size, (*distro).into(), (*format).into());
            image.packages = packages.unwrap_or(image.packages);
            image.user_files = files.unwrap_or(image.user_files);
            image.fill = *fill;
            image.compressibility = common.compressibility;
            (Spec::Image(image), common)
        }
    };
    let mut request = Request::new(spec, common.seed);
    request.batch = common.batch;
    request.varied = common.varied;
    request.replace = common.force;
    let manifest = generate(&request, &common.output)
        .with_context(|| format!("gen {}", request.spec.kind()))?;

    if global.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&manifest)?))?;
    }
    if !global.quiet {
        let count = manifest.outputs.len();
        let kind = manifest.kind;
        let what = if count == 1 {
            kind.to_owned()
        } else {
            format!("{count} {kind}s")
        };
        let manifest_at = match request.batch {
            Some(_) => common.output.join("manifest.json"),
            None => manifest_path(&common.output),
        };
        eprint_line(&format!(
            "generated {what} ({}) in {:.2} s: {:.1} MB/s → {} (manifest {})",
            format_size(manifest.total_bytes),
            manifest.seconds,
            manifest.mb_per_s,
            common.output.display(),
            manifest_at.display()
        ));
    }
    Ok(Outcome::Passed)
}

impl From<PresetArg> for Preset {
    fn from(preset: PresetArg) -> Preset {
        match preset {
            PresetArg::Minimal => Preset::Minimal,
            PresetArg::Small => Preset::Small,
            PresetArg::Medium => Preset::Medium,
            PresetArg::Large => Preset::Large,
        }
    }
}

impl From<DistroArg> for Distro {
    fn from(distro: DistroArg) -> Distro {
        match distro {
            DistroArg::Ubuntu => Distro::Ubuntu,
            DistroArg::Debian => Distro::Debian,
            DistroArg::Fedora => Distro::Fedora,
            DistroArg::Alpine => Distro::Alpine,
        }
    }
}

impl From<FormatArg> for ImageFormat {
    fn from(format: FormatArg) -> ImageFormat {
        match format {
            FormatArg::Raw => ImageFormat::Raw,
            FormatArg::Qcow2 => ImageFormat::Qcow2,
        }
    }
}

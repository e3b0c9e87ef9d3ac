//! What makes an image look like a distribution: `/etc/os-release` as the real releases ship
//! it, and a package database in the distribution's own format with N seeded packages.

use std::fmt::Write as _;

use serde::Serialize;

use crate::rng::{Rng, derive};

/// The distributions an image can imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    Ubuntu,
    Debian,
    Fedora,
    Alpine,
}

impl Distro {
    pub const ALL: [Distro; 4] = [
        Distro::Ubuntu,
        Distro::Debian,
        Distro::Fedora,
        Distro::Alpine,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Distro::Ubuntu => "ubuntu",
            Distro::Debian => "debian",
            Distro::Fedora => "fedora",
            Distro::Alpine => "alpine",
        }
    }

    pub fn parse(text: &str) -> Option<Distro> {
        Distro::ALL.into_iter().find(|d| d.name() == text.trim())
    }

    /// `/etc/os-release`, as the release ships it.
    pub fn os_release(self) -> &'static str {
        match self {
            Distro::Ubuntu => {
                "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\n\
                 VERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\n\
                 ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\n\
                 SUPPORT_URL=\"https://help.ubuntu.com/\"\n\
                 BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n\
                 PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n\
                 UBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n"
            }
            Distro::Debian => {
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                 VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n\
                 HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\n\
                 BUG_REPORT_URL=\"https://bugs.debian.org/\"\n"
            }
            Distro::Fedora => {
                "NAME=\"Fedora Linux\"\nVERSION=\"40 (Server Edition)\"\nID=fedora\nVERSION_ID=40\n\
                 VERSION_CODENAME=\"\"\nPLATFORM_ID=\"platform:f40\"\n\
                 PRETTY_NAME=\"Fedora Linux 40 (Server Edition)\"\nANSI_COLOR=\"0;38;2;60;110;180\"\n\
                 LOGO=fedora-logo-icon\nCPE_NAME=\"cpe:/o:fedoraproject:fedora:40\"\n\
                 HOME_URL=\"https://fedoraproject.org/\"\n\
                 DOCUMENTATION_URL=\"https://docs.fedoraproject.org/en-US/fedora/f40/system-administrators-guide/\"\n\
                 SUPPORT_URL=\"https://ask.fedoraproject.org/\"\n\
                 BUG_REPORT_URL=\"https://bugzilla.redhat.com/\"\nREDHAT_BUGZILLA_PRODUCT=\"Fedora\"\n\
                 REDHAT_BUGZILLA_PRODUCT_VERSION=40\nREDHAT_SUPPORT_PRODUCT=\"Fedora\"\n\
                 REDHAT_SUPPORT_PRODUCT_VERSION=40\nSUPPORT_END=2025-05-13\nVARIANT=\"Server Edition\"\n\
                 VARIANT_ID=server\n"
            }
            Distro::Alpine => {
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n\
                 PRETTY_NAME=\"Alpine Linux v3.20\"\nHOME_URL=\"https://alpinelinux.org/\"\n\
                 BUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"
            }
        }
    }

    /// Where the package database lives in the image.
    pub fn package_db_path(self) -> &'static str {
        match self {
            Distro::Ubuntu | Distro::Debian => "/var/lib/dpkg/status",
            Distro::Alpine => "/lib/apk/db/installed",
            // The real rpmdb is an SQLite (or Berkeley DB) file; this is `rpm -qa`'s list.
            Distro::Fedora => "/var/lib/rpm/rpm-qa.txt",
        }
    }

    /// The package database with `count` packages (sorted by name, as dpkg keeps it).
    pub fn package_db(self, seed: u64, count: u32) -> String {
        let packages = packages(seed, count);
        let mut rng = Rng::new(derive(seed, "package-fields", 0));
        let mut db = String::new();
        for package in &packages {
            match self {
                Distro::Ubuntu | Distro::Debian => self.dpkg_entry(&mut db, package, &mut rng),
                Distro::Alpine => apk_entry(&mut db, package, &mut rng),
                Distro::Fedora => {
                    let _ = writeln!(
                        db,
                        "{}-{}-{}.fc40.{}",
                        package.name,
                        package.upstream,
                        package.revision,
                        if package.noarch { "noarch" } else { "x86_64" }
                    );
                }
            }
        }
        db
    }

    fn dpkg_entry(self, db: &mut String, package: &Package, rng: &mut Rng) {
        let (maintainer, version) = match self {
            Distro::Ubuntu => (
                "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>",
                format!(
                    "{}-{}ubuntu{}",
                    package.upstream,
                    package.revision,
                    rng.between(1, 4)
                ),
            ),
            _ => (
                "Debian Developers <debian-devel@lists.debian.org>",
                format!("{}-{}", package.upstream, package.revision),
            ),
        };
        let priority = if package.essential {
            "required"
        } else {
            "optional"
        };
        let _ = write!(
            db,
            "Package: {}\nStatus: install ok installed\nPriority: {priority}\nSection: {}\n\
             Installed-Size: {}\nMaintainer: {maintainer}\nArchitecture: {}\nVersion: {version}\n",
            package.name,
            package.section,
            package.installed_kib,
            if package.noarch { "all" } else { "amd64" },
        );
        if package.essential {
            db.push_str("Essential: yes\n");
        }
        let _ = write!(
            db,
            "Description: {}\n {} is part of the base system; this entry was generated by \
             benchgate gen.\n\n",
            package.summary, package.name
        );
    }
}

fn apk_entry(db: &mut String, package: &Package, rng: &mut Rng) {
    let mut checksum = [0u8; 21];
    rng.fill(&mut checksum);
    let mut commit = [0u8; 20];
    rng.fill(&mut commit);
    let _ = write!(
        db,
        "C:Q1{}=\nP:{}\nV:{}-r{}\nA:{}\nS:{}\nI:{}\nT:{}\nU:https://pkgs.alpinelinux.org/package/v3.20/main/x86_64/{}\n\
         L:MIT\no:{}\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:{}\nc:{}\n\n",
        base64(&checksum),
        package.name,
        package.upstream,
        package.revision,
        if package.noarch { "noarch" } else { "x86_64" },
        package.installed_kib * 1024 / 3,
        package.installed_kib * 1024,
        package.summary,
        package.name,
        package.name,
        1_710_000_000 + rng.below(20_000_000),
        crate::content::hex(&commit),
    );
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bytes
        .chunks(3)
        .flat_map(|chunk| {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0u32, |w, (i, &b)| w | u32::from(b) << (16 - 8 * i));
            (0..=chunk.len()).map(move |i| ALPHABET[(word >> (18 - 6 * i) & 63) as usize] as char)
        })
        .collect()
}

/// One package, as every format needs it.
struct Package {
    name: String,
    upstream: String,
    revision: u64,
    section: &'static str,
    installed_kib: u64,
    summary: String,
    essential: bool,
    noarch: bool,
}

/// Real package names of a base system first (the first ones essential), then made-up library
/// names once those run out.
const BASE: &[(&str, &str, &str)] = &[
    ("base-files", "admin", "base system miscellaneous files"),
    ("bash", "shells", "GNU Bourne Again SHell"),
    ("coreutils", "utils", "GNU core utilities"),
    ("dash", "shells", "POSIX-compliant shell"),
    ("diffutils", "utils", "File comparison utilities"),
    ("findutils", "utils", "utilities for finding files"),
    ("grep", "utils", "GNU grep, egrep and fgrep"),
    ("gzip", "utils", "GNU compression utilities"),
    (
        "hostname",
        "admin",
        "utility to set/show the host name or domain name",
    ),
    ("libc-bin", "libs", "GNU C Library: Binaries"),
    ("login", "admin", "system login tools"),
    (
        "sed",
        "utils",
        "GNU stream editor for filtering/transforming text",
    ),
    ("tar", "utils", "GNU version of the tar archiving utility"),
    ("util-linux", "utils", "miscellaneous system utilities"),
    ("adduser", "admin", "add and remove users and groups"),
    ("apt", "admin", "commandline package manager"),
    ("ca-certificates", "misc", "Common CA certificates"),
    ("cron", "admin", "process scheduling daemon"),
    (
        "curl",
        "web",
        "command line tool for transferring data with URL syntax",
    ),
    ("e2fsprogs", "admin", "ext2/ext3/ext4 file system utilities"),
    (
        "gnupg",
        "utils",
        "GNU privacy guard - a free PGP replacement",
    ),
    ("iproute2", "net", "networking and traffic control tools"),
    (
        "iputils-ping",
        "net",
        "Tools to test the reachability of network hosts",
    ),
    ("kmod", "admin", "tools for managing Linux kernel modules"),
    ("less", "text", "pager program similar to more"),
    ("libacl1", "libs", "access control list - shared library"),
    (
        "libattr1",
        "libs",
        "extended attribute handling - shared library",
    ),
    ("libblkid1", "libs", "block device ID library"),
    (
        "libbz2-1.0",
        "libs",
        "high-quality block-sorting file compressor library",
    ),
    ("libcap2", "libs", "POSIX 1003.1e capabilities (library)"),
    (
        "libcurl4",
        "libs",
        "easy-to-use client-side URL transfer library",
    ),
    (
        "libffi8",
        "libs",
        "Foreign Function Interface library runtime",
    ),
    ("libgcc-s1", "libs", "GCC support library"),
    ("libgmp10", "libs", "Multiprecision arithmetic library"),
    (
        "libgnutls30",
        "libs",
        "GNU TLS library - main runtime library",
    ),
    (
        "liblz4-1",
        "libs",
        "Fast LZ compression algorithm library - runtime",
    ),
    ("liblzma5", "libs", "XZ-format compression library"),
    ("libmount1", "libs", "device mounting library"),
    (
        "libncursesw6",
        "libs",
        "shared libraries for terminal handling (wide character support)",
    ),
    (
        "libpam0g",
        "libs",
        "Pluggable Authentication Modules library",
    ),
    (
        "libpcre2-8-0",
        "libs",
        "New Perl Compatible Regular Expression Library- 8 bit runtime files",
    ),
    ("libselinux1", "libs", "SELinux runtime shared libraries"),
    ("libsqlite3-0", "libs", "SQLite 3 shared library"),
    (
        "libssl3",
        "libs",
        "Secure Sockets Layer toolkit - shared libraries",
    ),
    ("libstdc++6", "libs", "GNU Standard C++ Library v3"),
    ("libsystemd0", "libs", "systemd utility library"),
    ("libudev1", "libs", "libudev shared library"),
    ("libuuid1", "libs", "Universally Unique ID library"),
    ("libxml2", "libs", "GNOME XML library"),
    ("libzstd1", "libs", "fast lossless compression algorithm"),
    (
        "lsb-release",
        "misc",
        "Linux Standard Base version reporting utility",
    ),
    (
        "mawk",
        "interpreters",
        "Pattern scanning and text processing language",
    ),
    (
        "mount",
        "admin",
        "tools for mounting and manipulating filesystems",
    ),
    (
        "nano",
        "editors",
        "small, friendly text editor inspired by Pico",
    ),
    ("ncurses-base", "misc", "basic terminal type definitions"),
    ("netbase", "admin", "Basic TCP/IP networking system"),
    (
        "openssh-client",
        "net",
        "secure shell (SSH) client, for secure access to remote machines",
    ),
    (
        "openssh-server",
        "net",
        "secure shell (SSH) server, for secure access from remote machines",
    ),
    (
        "openssl",
        "utils",
        "Secure Sockets Layer toolkit - cryptographic utility",
    ),
    (
        "passwd",
        "admin",
        "change and administer password and group data",
    ),
    ("perl-base", "perl", "minimal Perl system"),
    ("procps", "admin", "/proc file system utilities"),
    (
        "python3",
        "python",
        "interactive high-level object-oriented language (default python3 version)",
    ),
    (
        "rsync",
        "net",
        "fast, versatile, remote (and local) file-copying tool",
    ),
    (
        "sensible-utils",
        "utils",
        "Utilities for sensible alternative selection",
    ),
    (
        "sudo",
        "admin",
        "Provide limited super user privileges to specific users",
    ),
    ("systemd", "admin", "system and service manager"),
    (
        "tzdata",
        "localization",
        "time zone and daylight-saving time data",
    ),
    (
        "vim-tiny",
        "editors",
        "Vi IMproved - enhanced vi editor - compact version",
    ),
    ("wget", "web", "retrieves files from the web"),
    ("xz-utils", "utils", "XZ-format compression utilities"),
    ("zlib1g", "libs", "compression library - runtime"),
];

/// How many of [`BASE`] are essential.
const ESSENTIAL: usize = 14;

const SYLLABLES: &[&str] = &[
    "ar", "bel", "cor", "dax", "el", "fin", "gal", "hex", "ion", "jor", "kal", "lum", "mor", "nex",
    "ol", "pix", "qua", "ros", "syn", "tor", "ul", "vex", "wix", "xen", "yal", "zor",
];

fn packages(seed: u64, count: u32) -> Vec<Package> {
    let mut rng = Rng::new(derive(seed, "packages", 0));
    let mut packages: Vec<Package> = (0..count as usize)
        .map(|i| {
            let (name, section, summary) = match BASE.get(i) {
                Some(&(name, section, summary)) => (name.to_owned(), section, summary.to_owned()),
                None => {
                    let a = SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize];
                    let b = SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize];
                    // The index keeps made-up names unique.
                    let name = format!("lib{a}{b}{}", i - BASE.len());
                    let summary = format!("{a}{b} support library - runtime files");
                    (name, "libs", summary)
                }
            };
            let upstream = format!(
                "{}.{}.{}",
                rng.between(0, 12),
                rng.between(0, 40),
                rng.between(0, 20)
            );
            Package {
                noarch: section == "misc" || section == "localization",
                name,
                upstream,
                revision: rng.between(1, 9),
                section,
                installed_kib: rng.between(16, 20_000),
                summary,
                essential: i < ESSENTIAL,
            }
        })
        .collect();
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE");
        assert_eq!(base64(b"f"), "Zg");
    }

    #[test]
    fn each_format_holds_the_count_asked_for() {
        let dpkg = Distro::Debian.package_db(1, 100);
        assert_eq!(dpkg.matches("\nPackage: ").count() + 1, 100);
        assert!(dpkg.starts_with("Package: adduser\n"), "{}", &dpkg[..40]);
        let apk = Distro::Alpine.package_db(1, 100);
        assert_eq!(apk.lines().filter(|l| l.starts_with("P:")).count(), 100);
        let rpm = Distro::Fedora.package_db(1, 100);
        assert_eq!(rpm.lines().count(), 100);
        assert!(rpm.lines().all(|l| l.contains(".fc40.")));
        let names: std::collections::BTreeSet<&str> = rpm
            .lines()
            .map(|l| l.split('-').next().unwrap_or(""))
            .collect();
        assert!(names.contains("bash"));
    }
}

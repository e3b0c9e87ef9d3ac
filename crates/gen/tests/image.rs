//! Disk images: valid ext4 (e2fsck, debugfs read it back), the distribution's files and package
//! count inside, byte-identical for the same seed, qcow2 as qemu-img describes it.

use std::path::{Path, PathBuf};
use std::process::Command;

use benchgate_gen::{
    Distro, GenError, ImageFormat, ImageSpec, ImageTools, Preset, Request, Spec, generate,
};

fn tool(name: &str) -> PathBuf {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{name} is installed (apt-get install e2fsprogs qemu-utils)"))
}

/// `debugfs -R 'cat PATH' IMAGE`: a file of the image.
fn cat(image: &Path, path: &str) -> String {
    let output = Command::new(tool("debugfs"))
        .arg("-R")
        .arg(format!("cat {path}"))
        .arg(image)
        .output()
        .expect("debugfs runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn e2fsck_clean(image: &Path) {
    let output = Command::new(tool("e2fsck"))
        .args(["-fn"])
        .arg(image)
        .output()
        .expect("e2fsck runs");
    assert!(
        output.status.success(),
        "e2fsck -fn {}: {}\n{}",
        image.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn image(size: u64, distro: Distro, format: ImageFormat) -> ImageSpec {
    ImageSpec::sized(size, distro, format)
}

fn sha256(path: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_debian_image_is_valid_ext4_with_its_files_and_packages() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("debian.raw");
    let mut spec = image(Preset::Small.size(), Distro::Debian, ImageFormat::Raw);
    spec.packages = 123;
    spec.user_files = 40;
    let manifest = generate(&Request::new(Spec::Image(spec), 7), &target).unwrap();

    assert_eq!(std::fs::metadata(&target).unwrap().len(), 10 * 1024 * 1024);
    e2fsck_clean(&target);
    let hostname = cat(&target, "/etc/hostname");
    assert!(
        hostname.starts_with("debian-") && hostname.ends_with('\n'),
        "{hostname:?}"
    );
    let os_release = cat(&target, "/etc/os-release");
    assert!(os_release.contains("ID=debian\n"), "{os_release}");
    assert!(os_release.contains("VERSION_CODENAME=bookworm\n"));
    let status = cat(&target, "/var/lib/dpkg/status");
    assert_eq!(
        status.matches("Status: install ok installed\n").count(),
        123
    );
    assert!(status.contains("Package: bash\n"));
    let listing = Command::new(tool("debugfs"))
        .args(["-R", "ls -p /home/user/data/000"])
        .arg(&target)
        .output()
        .unwrap();
    let files = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter(|l| l.contains("file-"))
        .count();
    assert_eq!(files, 40);
    let output = &manifest.outputs[0];
    assert_eq!(output.path, "debian.raw");
    assert_eq!(output.size, 10 * 1024 * 1024);
    assert_eq!(output.sha256.as_deref(), Some(sha256(&target).as_str()));
    assert!(
        manifest.tools["mkfs.ext4"].contains("1.4"),
        "{:?}",
        manifest.tools
    );
}

#[test]
fn each_distribution_has_its_os_release_and_package_database() {
    let dir = tempfile::tempdir().unwrap();
    for (distro, db, id, count_line) in [
        (
            Distro::Ubuntu,
            "/var/lib/dpkg/status",
            "ID=ubuntu\n",
            "Package: ",
        ),
        (Distro::Alpine, "/lib/apk/db/installed", "ID=alpine\n", "P:"),
        (Distro::Fedora, "/var/lib/rpm/rpm-qa.txt", "ID=fedora\n", ""),
    ] {
        let target = dir.path().join(format!("{}.raw", distro.name()));
        let mut spec = image(Preset::Minimal.size(), distro, ImageFormat::Raw);
        spec.packages = 30;
        generate(&Request::new(Spec::Image(spec), 1), &target).unwrap();
        e2fsck_clean(&target);
        assert!(cat(&target, "/etc/os-release").contains(id), "{distro:?}");
        let packages = cat(&target, db);
        let count = packages
            .lines()
            .filter(|l| l.starts_with(count_line) && !l.is_empty())
            .count();
        assert_eq!(count, 30, "{distro:?}: {db}:\n{packages}");
    }
}

#[test]
fn the_same_seed_gives_the_same_image_and_another_seed_another() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::Image(image(4 * 1024 * 1024, Distro::Ubuntu, ImageFormat::Raw));
    let first = dir.path().join("a.raw");
    let second_dir = dir.path().join("elsewhere");
    std::fs::create_dir(&second_dir).unwrap();
    let second = second_dir.join("b.raw");
    let other = dir.path().join("c.raw");
    generate(&Request::new(spec.clone(), 11), &first).unwrap();
    generate(&Request::new(spec.clone(), 11), &second).unwrap();
    generate(&Request::new(spec, 12), &other).unwrap();
    assert_eq!(sha256(&first), sha256(&second));
    assert_ne!(sha256(&first), sha256(&other));
}

/// Staged in /dev/shm (tmpfs) and on the disk the files are listed in different orders; the
/// image must not depend on it (`mkfs.ext4 -d` would).
#[test]
fn the_image_does_not_depend_on_the_filesystem_it_is_made_on() {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        eprintln!("skipped: no /dev/shm");
        return;
    }
    let on_tmpfs = tempfile::tempdir_in(shm).unwrap();
    let on_disk = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut spec = image(4 * 1024 * 1024, Distro::Alpine, ImageFormat::Raw);
    spec.user_files = 300;
    let spec = Spec::Image(spec);
    let a = on_tmpfs.path().join("a.raw");
    let b = on_disk.path().join("b.raw");
    generate(&Request::new(spec.clone(), 5), &a).unwrap();
    generate(&Request::new(spec, 5), &b).unwrap();
    assert_eq!(sha256(&a), sha256(&b));
}

#[test]
fn a_qcow2_image_is_deterministic_and_holds_the_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::Image(image(
        Preset::Small.size(),
        Distro::Fedora,
        ImageFormat::Qcow2,
    ));
    let a = dir.path().join("a.qcow2");
    let b = dir.path().join("b.qcow2");
    let manifest = generate(&Request::new(spec.clone(), 3), &a).unwrap();
    generate(&Request::new(spec, 3), &b).unwrap();
    assert_eq!(sha256(&a), sha256(&b));
    let info = Command::new(tool("qemu-img"))
        .args(["info", "--output=json"])
        .arg(&a)
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["format"], "qcow2");
    assert_eq!(info["virtual-size"], 10 * 1024 * 1024);
    assert!(manifest.tools.contains_key("qemu-img"));
    // Back to raw: the filesystem inside is whole.
    let raw = dir.path().join("back.raw");
    let status = Command::new(tool("qemu-img"))
        .args(["convert", "-f", "qcow2", "-O", "raw"])
        .arg(&a)
        .arg(&raw)
        .status()
        .unwrap();
    assert!(status.success());
    e2fsck_clean(&raw);
    assert!(cat(&raw, "/etc/hostname").starts_with("fedora-"));
}

#[test]
fn missing_tools_are_named_with_their_package() {
    let empty = tempfile::tempdir().unwrap();
    let error = ImageTools::locate_in(&[empty.path().to_path_buf()], ImageFormat::Raw).unwrap_err();
    assert_eq!(
        error.to_string(),
        "mkfs.ext4 not found on PATH or in /usr/sbin, /sbin (it is in the e2fsprogs package)"
    );
    // e2fsprogs there, qemu-img not: only qcow2 needs it.
    let sbin = tool("mkfs.ext4").parent().unwrap().to_path_buf();
    assert!(ImageTools::locate_in(std::slice::from_ref(&sbin), ImageFormat::Raw).is_ok());
    if !sbin.join("qemu-img").exists() {
        let error = ImageTools::locate_in(&[sbin], ImageFormat::Qcow2).unwrap_err();
        assert!(
            error.to_string().starts_with("qemu-img not found"),
            "{error}"
        );
    }
    // Given as the request's tools, a missing program fails before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let mut request = Request::new(
        Spec::Image(image(
            Preset::Minimal.size(),
            Distro::Debian,
            ImageFormat::Raw,
        )),
        1,
    );
    request.tools = Some(ImageTools {
        mkfs_ext4: dir.path().join("no-such-mkfs"),
        debugfs: tool("debugfs"),
        qemu_img: None,
    });
    let target = dir.path().join("x.raw");
    assert!(generate(&request, &target).is_err());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn files_that_do_not_fit_are_an_error_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // 1 MiB has 128 inodes.
    let mut spec = image(Preset::Minimal.size(), Distro::Debian, ImageFormat::Raw);
    spec.user_files = 500;
    let error = generate(
        &Request::new(Spec::Image(spec.clone()), 1),
        &dir.path().join("a.raw"),
    )
    .unwrap_err();
    assert!(matches!(error, GenError::Parameter(_)), "{error}");
    assert!(
        error.to_string().contains("500 user files do not fit"),
        "{error}"
    );
    // Inodes enough, blocks not: debugfs runs out of space, and says so.
    spec.user_files = 10;
    spec.fill = 0.8;
    spec.packages = 3000;
    let error = generate(
        &Request::new(Spec::Image(spec), 1),
        &dir.path().join("b.raw"),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("do not fit an image of 1 MiB") && message.contains("(debugfs: "),
        "{message}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn image_sizes_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (size, expected) in [
        (512 * 1024, "out of range"),
        (65 * 1024 * 1024 * 1024, "out of range"),
        (1024 * 1024 + 512, "whole number of 4 KiB blocks"),
    ] {
        let spec = Spec::Image(image(size, Distro::Debian, ImageFormat::Raw));
        let error = generate(&Request::new(spec, 1), &dir.path().join("x.raw")).unwrap_err();
        assert!(error.to_string().contains(expected), "{size}: {error}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A varied batch: each image its own distribution, counts and seed, each valid and holding
/// what its parameters in the manifest say.
#[test]
fn a_varied_batch_of_images_holds_what_each_manifest_entry_says() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("set");
    let mut request = Request::new(
        Spec::Image(image(
            Preset::Minimal.size(),
            Distro::Debian,
            ImageFormat::Raw,
        )),
        21,
    );
    request.batch = Some(6);
    request.varied = true;
    let manifest = generate(&request, &target).unwrap();
    let names: Vec<&str> = manifest.outputs.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "image-0001.raw",
            "image-0002.raw",
            "image-0003.raw",
            "image-0004.raw",
            "image-0005.raw",
            "image-0006.raw"
        ]
    );
    let mut distros = std::collections::BTreeSet::new();
    for output in &manifest.outputs {
        let Spec::Image(spec) = &output.parameters else {
            panic!("{:?}", output.parameters)
        };
        distros.insert(spec.distro.name());
        let path = target.join(&output.path);
        e2fsck_clean(&path);
        assert!(cat(&path, "/etc/os-release").contains(&format!("ID={}\n", spec.distro.name())));
        let db = cat(&path, spec.distro.package_db_path());
        let count = match spec.distro {
            Distro::Ubuntu | Distro::Debian => db.matches("Package: ").count(),
            Distro::Alpine => db.lines().filter(|l| l.starts_with("P:")).count(),
            Distro::Fedora => db.lines().count(),
        };
        assert_eq!(count, spec.packages as usize, "{}", output.path);
        assert_eq!(output.sha256.as_deref(), Some(sha256(&path).as_str()));
    }
    assert!(distros.len() >= 2, "{distros:?}");
    let packages: std::collections::BTreeSet<u32> = manifest
        .outputs
        .iter()
        .map(|o| match &o.parameters {
            Spec::Image(spec) => spec.packages,
            _ => 0,
        })
        .collect();
    assert!(packages.len() >= 3, "{packages:?}");
}

//! The CI files benchgate ships or writes — action.yml, the examples in docs/ci.md, the
//! workflows `benchgate init --ci` writes — parse as YAML, and every `benchgate …` command they
//! run parses with benchgate's real command line (subcommands, flags and their values).

mod common;

use std::path::{Path, PathBuf};

use common::{benchgate, stderr};
use serde_yaml::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn parse_yaml(text: &str, origin: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{origin}: not YAML: {e}\n{text}"))
}

/// The shell text a CI file runs: GitHub's `run:` strings, GitLab's script lists.
fn shell_texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    (Some("run"), Value::String(text)) => out.push(text.clone()),
                    (Some("script" | "before_script" | "after_script"), Value::Sequence(lines)) => {
                        out.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_string)));
                    }
                    _ => shell_texts(value, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| shell_texts(item, out)),
        _ => {}
    }
}

/// The `benchgate …` commands in shell text: each line cut at the shell's operators, and a
/// redirection ends a command.
fn benchgate_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    for line in text.lines() {
        for part in line.split("&&").flat_map(|p| p.split("||")) {
            for segment in part.split([';', '|', '(', ')']) {
                let segment = segment.split('>').next().unwrap_or_default().trim();
                if segment == "benchgate" || segment.starts_with("benchgate ") {
                    commands.push(segment.to_string());
                }
            }
        }
    }
    commands
}

/// Checks that `command` parses with benchgate's clap definition.
fn assert_command_exists(command: &str, origin: &str) {
    let words = shell_words::split(command)
        .unwrap_or_else(|e| panic!("{origin}: {command:?} does not split like a shell: {e}"));
    if let Err(error) = benchgate::command().try_get_matches_from(&words) {
        panic!("{origin}: `{command}` is not a benchgate command line:\n{error}");
    }
}

/// Checks every benchgate command of the CI file `yaml`; returns them.
fn check_file(yaml: &Value, origin: &str) -> Vec<String> {
    let mut texts = Vec::new();
    shell_texts(yaml, &mut texts);
    let commands: Vec<String> = texts.iter().flat_map(|t| benchgate_commands(t)).collect();
    for command in &commands {
        assert_command_exists(command, origin);
    }
    commands
}

#[test]
fn the_checker_refuses_flags_and_subcommands_that_do_not_exist() {
    let result =
        std::panic::catch_unwind(|| assert_command_exists("benchgate run --publish http://x", "t"));
    assert!(result.is_err());
    let result = std::panic::catch_unwind(|| assert_command_exists("benchgate publish", "t"));
    assert!(result.is_err());
    assert_eq!(
        benchgate_commands(
            "base=$(git merge-base HEAD x) && benchgate run --quiet > /dev/null || echo no"
        ),
        ["benchgate run --quiet"]
    );
    assert!(benchgate_commands("cargo install --locked benchgate").is_empty());
}

#[test]
fn action_yml_parses_and_runs_real_commands() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action = parse_yaml(&text, "action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for input in [
        "command",
        "config",
        "baseline",
        "upload-url",
        "upload-token",
        "comment",
    ] {
        assert!(
            action["inputs"][input].is_mapping(),
            "action.yml: no input {input}"
        );
    }
    let default = action["inputs"]["command"]["default"].as_str().unwrap();
    // The action builds the command line from its inputs: check it as the default input and the
    // other kinds of command its description names give it.
    for input in [default, "run", "exec -- cargo bench", "ingest results.json"] {
        let words = shell_words::split(input).unwrap();
        let first = shell_words::quote(&words[0]).into_owned();
        let rest = shell_words::join(&words[1..]);
        let expanded = text
            .replace("\"${words[0]}\"", &first)
            .replace(
                "\"${flags[@]}\"",
                "--config benchgate.toml --format markdown --export-json run.json \
                 --baseline merge-base:origin/main",
            )
            .replace("\"${words[@]:1}\"", &rest);
        let commands = check_file(
            &parse_yaml(&expanded, "action.yml"),
            &format!("action.yml with command {input:?}"),
        );
        assert!(
            commands
                .iter()
                .any(|c| c.starts_with(&format!("benchgate --quiet {first} --config"))),
            "{commands:?}"
        );
        assert!(
            commands.iter().any(|c| c.starts_with(&format!(
                "benchgate {first} --config benchgate.toml --format markdown"
            ))),
            "{commands:?}"
        );
        assert!(
            commands
                .iter()
                .any(|c| c.starts_with("benchgate comment --github")),
            "{commands:?}"
        );
    }
}

#[test]
fn the_examples_in_docs_ci_md_parse_and_run_real_commands() {
    let text = std::fs::read_to_string(repo_root().join("docs/ci.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    assert_eq!(
        blocks.len(),
        3,
        "docs/ci.md: the action, GitHub and GitLab examples"
    );
    let mut all = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let origin = format!("docs/ci.md, yaml block {}", i + 1);
        all.extend(check_file(&parse_yaml(block, &origin), &origin));
    }
    for expected in [
        "benchgate run --baseline \"merge-base:$BASE_BRANCH\" --confirm paired --format markdown \
         --export-json benchgate-run.json",
        "benchgate comment --github benchgate-report.md",
        "benchgate exec --baseline \"merge-base:$BASE_BRANCH\" --format markdown \
         --export-json benchgate-run.json -- cargo bench",
    ] {
        assert!(
            all.iter().any(|c| c == expected),
            "docs/ci.md does not run {expected:?}: {all:?}"
        );
    }
}

/// Writes `files` into a new directory and runs `benchgate init --ci ci` there; the workflow.
fn init_workflow(files: &[(&str, &str)], ci: &str) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = benchgate(&["init", "--ci", ci], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = match ci {
        "github" => ".github/workflows/benchgate.yml",
        _ => ".gitlab-ci.yml",
    };
    let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
    let yaml = parse_yaml(&text, path);
    (text, yaml)
}

const PROJECTS: [(&str, &[(&str, &str)]); 4] = [
    ("cargo", &[("Cargo.toml", "[package]\nname = \"x\"\n")]),
    ("go", &[("go.mod", "module x\n")]),
    (
        "pytest",
        &[("pytest.ini", "[pytest]\n# needs pytest-benchmark\n")],
    ),
    ("commands", &[]),
];

#[test]
fn the_github_workflows_init_writes_parse_and_run_real_commands() {
    for (project, files) in PROJECTS {
        let (_, workflow) = init_workflow(files, "github");
        let origin = format!("init --ci github for {project}");
        assert!(
            workflow["on"]["pull_request"].is_null() || workflow["on"]["pull_request"].is_mapping(),
            "{origin}"
        );
        assert!(
            workflow["on"]
                .as_mapping()
                .unwrap()
                .contains_key("pull_request"),
            "{origin}"
        );
        assert_eq!(
            workflow["permissions"]["pull-requests"].as_str(),
            Some("write"),
            "{origin}"
        );
        let commands = check_file(&workflow, &origin);
        assert!(
            commands
                .iter()
                .any(|c| c.contains("--baseline \"merge-base:$BASE_BRANCH\"")),
            "{origin}: {commands:?}"
        );
        assert!(
            commands.contains(&"benchgate comment --github benchgate-report.md".to_string()),
            "{origin}: {commands:?}"
        );
        assert_eq!(
            commands.len(),
            3,
            "{origin}: base, gate and comment: {commands:?}"
        );
        assert!(
            commands
                .iter()
                .any(|c| c.contains("--export-json benchgate-run.json")),
            "{origin}: the gate writes the run the upload step sends: {commands:?}"
        );
        let upload = step(&workflow["jobs"]["gate"]["steps"], UPLOAD_STEP);
        assert_eq!(upload["run"].as_str(), Some(UPLOAD), "{origin}");
    }
}

#[test]
fn the_gitlab_jobs_init_writes_parse_and_run_real_commands() {
    for (project, files) in PROJECTS {
        let (_, job) = init_workflow(files, "gitlab");
        let origin = format!("init --ci gitlab for {project}");
        assert!(job["benchgate"]["script"].is_sequence(), "{origin}");
        let commands = check_file(&job, &origin);
        assert!(
            commands
                .iter()
                .any(|c| c.contains("--baseline \"merge-base:$BASE_BRANCH\"")),
            "{origin}: {commands:?}"
        );
        assert_eq!(
            commands.len(),
            3,
            "{origin}: base, gate and note: {commands:?}"
        );
        assert!(
            commands
                .iter()
                .any(|c| c == "benchgate comment --gitlab benchgate-report.md"),
            "{origin}: {commands:?}"
        );
        assert!(
            commands
                .iter()
                .any(|c| c.contains("--export-json benchgate-run.json")),
            "{origin}: the gate writes the run the upload sends: {commands:?}"
        );
        assert_eq!(gitlab_upload(&job), GITLAB_UPLOAD, "{origin}");
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The workflow's own steps, run as GitHub runs them (`bash -e`), in a real repository with a
/// pull-request branch: the merge base is measured, and the pull request is gated against it.
#[test]
fn the_github_workflow_gates_a_pull_request_against_its_merge_base() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let out = benchgate(&["init", "--ci", "github"], &repo);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Shorter sampling than the starter's, for a test.
    let config = std::fs::read_to_string(repo.join("benchgate.toml")).unwrap();
    let config = config.replace("max_time = \"20s\"", "max_time = \"1s\"");
    std::fs::write(repo.join("benchgate.toml"), config).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("change.txt"), "x\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "change"]);

    let text = std::fs::read_to_string(repo.join(".github/workflows/benchgate.yml")).unwrap();
    let workflow = parse_yaml(&text, "benchgate.yml");
    let steps = workflow["jobs"]["gate"]["steps"].as_sequence().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_benchgate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output_file = root.path().join("github-output");
    for name in ["Measure the merge base", "Gate the pull request"] {
        let step = steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap();
        let script = step["run"].as_str().unwrap();
        let out = std::process::Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(&repo)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env(
                "BENCHGATE_DB",
                format!("sqlite://{}/history.db", root.path().display()),
            )
            .env("BASE_BRANCH", "main")
            .env("CONFIG", repo.join("benchgate.toml"))
            .env("RUNNER_TEMP", root.path())
            .env("GITHUB_OUTPUT", &output_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let outputs = std::fs::read_to_string(&output_file).unwrap();
    // Passed or a (noise) regression: both are verdicts on real numbers; 2 and 3 would be the
    // workflow's fault.
    assert!(
        outputs == "status=0\n" || outputs == "status=1\n",
        "{outputs}"
    );
    let report = std::fs::read_to_string(repo.join("benchgate-report.md")).unwrap();
    assert!(
        report.contains(&format!("against baseline merge-base:main = commit:{base}")),
        "{report}"
    );
    assert!(report.contains("`example/sleep`"), "{report}");
    // The run the gate judged, as the upload step sends it.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("benchgate-run.json")).unwrap())
            .unwrap();
    assert_eq!(run["benchmarks"][0]["name"].as_str(), Some("example/sleep"));
    assert!(
        report.contains(run["id"].as_str().unwrap()),
        "the report is about the exported run: {report}"
    );
}

/// The name of the step that sends the gated run to a team server.
const UPLOAD_STEP: &str = "Upload the run to the benchgate server";

/// What that step runs (GitHub, the action): the run the gate exported, to the server's
/// `POST /api/v1/runs` with the write token.
const UPLOAD: &str = "curl --fail-with-body --silent --show-error --max-time 60 \\
  --header \"Authorization: Bearer $BENCHGATE_TOKEN\" \\
  --header \"Content-Type: application/json\" \\
  --data-binary @benchgate-run.json \"${BENCHGATE_SERVER_URL%/}/api/v1/runs\"
";

/// GitLab's: the same, when the variable is set and the gate wrote the run.
const GITLAB_UPLOAD: &str = "if [ -n \"$BENCHGATE_SERVER_URL\" ] && [ -f benchgate-run.json ]; then
  curl --fail-with-body --silent --show-error --max-time 60 \\
    --header \"Authorization: Bearer $BENCHGATE_TOKEN\" \\
    --header \"Content-Type: application/json\" \\
    --data-binary @benchgate-run.json \"${BENCHGATE_SERVER_URL%/}/api/v1/runs\"
fi
";

fn step<'a>(steps: &'a Value, name: &str) -> &'a Value {
    steps
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

/// The script item of a GitLab job that uploads.
fn gitlab_upload(job: &Value) -> &str {
    job["benchgate"]["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|line| line.contains("curl"))
        .expect("an upload in the script")
}

/// `benchgate serve` on a loopback port of its own, until dropped.
struct Server {
    child: std::process::Child,
    address: std::net::SocketAddr,
}

impl Server {
    fn start(db: &str, dir: &Path) -> Server {
        use std::io::BufRead;
        let mut command = common::benchgate_command(dir, &[]);
        command
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = common::spawn(&mut command);
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let address = first
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .parse()
            .unwrap();
        Server { child, address }
    }

    /// `GET path`: the status code and the body.
    fn get(&self, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        (
            head.split(' ').nth(1).unwrap().parse().unwrap(),
            body.into(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn create_token(db: &str, dir: &Path, scope: &str) -> String {
    let out = benchgate(&["--db", db, "token", "create", "--scope", scope], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A run measured in `dir` and exported to `dir/benchgate-run.json`, as a gate does: its id.
fn exported_run(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let out = benchgate(
        &[
            "run",
            "--runs",
            "2",
            "--export-json",
            "benchgate-run.json",
            "--",
            "true",
        ],
        dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("benchgate-run.json")).unwrap())
            .unwrap();
    run["id"].as_str().unwrap().to_string()
}

/// `script` as a CI step runs it (`bash -e -o pipefail`) in `dir` with the server's URL and a
/// token in the environment (an empty URL: unset).
fn run_step(script: &str, dir: &Path, url: &str, token: &str) -> std::process::Output {
    let mut command = std::process::Command::new("bash");
    command
        .args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(dir)
        .env("BENCHGATE_TOKEN", token);
    if url.is_empty() {
        command.env_remove("BENCHGATE_SERVER_URL");
    } else {
        command.env("BENCHGATE_SERVER_URL", url);
    }
    command.output().unwrap()
}

/// The upload step of the GitHub workflow, the GitLab job and the action, run for real against
/// `benchgate serve`: the exported run lands on the server with a write token, a read token is
/// refused with the server's reason shown and nothing stored; without a configured server the
/// step does not run (GitHub and the action: their `if:`; GitLab: its own test) and sends
/// nothing. The examples in docs/ci.md carry the same step.
#[test]
fn the_upload_steps_send_the_gated_run_to_a_configured_server_only() {
    let root = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", root.path().join("server.db").display());
    let write = create_token(&db, root.path(), "write");
    let read = create_token(&db, root.path(), "read");
    let server = Server::start(&db, root.path());
    let url = format!("http://{}", server.address);

    let (_, workflow) = init_workflow(&[], "github");
    let gate = &workflow["jobs"]["gate"];
    assert_eq!(
        gate["env"]["BENCHGATE_SERVER_URL"].as_str(),
        Some("${{ vars.BENCHGATE_SERVER_URL }}")
    );
    let github = step(&gate["steps"], UPLOAD_STEP);
    let condition = github["if"].as_str().unwrap();
    for part in [
        "env.BENCHGATE_SERVER_URL != ''",
        "hashFiles('benchgate-run.json') != ''",
        "github.event.pull_request.head.repo.full_name == github.repository",
    ] {
        assert!(condition.contains(part), "{condition}");
    }
    assert_eq!(
        github["env"]["BENCHGATE_TOKEN"].as_str(),
        Some("${{ secrets.BENCHGATE_TOKEN }}")
    );
    let (_, job) = init_workflow(&[], "gitlab");
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action = parse_yaml(&text, "action.yml");
    let action_step = step(&action["runs"]["steps"], UPLOAD_STEP);
    assert_eq!(
        action_step["if"].as_str(),
        Some("always() && inputs.upload-url != '' && steps.gate.outputs.run != ''")
    );
    assert_eq!(
        action_step["env"]["BENCHGATE_SERVER_URL"].as_str(),
        Some("${{ inputs.upload-url }}")
    );
    assert_eq!(
        action_step["env"]["BENCHGATE_TOKEN"].as_str(),
        Some("${{ inputs.upload-token }}")
    );
    // The action's gate exports its run where the upload step runs.
    assert_eq!(
        action_step["working-directory"].as_str(),
        Some("${{ runner.temp }}")
    );
    let gate_script = step(&action["runs"]["steps"], "Gate")["run"]
        .as_str()
        .unwrap();
    assert!(
        gate_script.contains("run=\"$RUNNER_TEMP/benchgate-run.json\"")
            && gate_script.contains("--export-json \"$run\"")
            && gate_script.contains("echo \"run=$run\" >> \"$GITHUB_OUTPUT\""),
        "{gate_script}"
    );

    let scripts = [
        ("github", github["run"].as_str().unwrap()),
        ("gitlab", gitlab_upload(&job)),
        ("action", action_step["run"].as_str().unwrap()),
    ];
    for (origin, script) in scripts {
        let dir = root.path().join(origin);
        let id = exported_run(&dir);
        let out = run_step(script, &dir, &url, &read);
        assert!(!out.status.success(), "{origin}: a read token uploaded");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("403"), "{origin}: {said}");
        assert!(
            said.contains("write"),
            "{origin}: the server's reason: {said}"
        );
        assert_eq!(server.get(&format!("/api/v1/runs/{id}")).0, 404, "{origin}");

        // A trailing slash on the URL is no matter.
        let out = run_step(script, &dir, &format!("{url}/"), &write);
        assert!(
            out.status.success(),
            "{origin}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (status, body) = server.get(&format!("/api/v1/runs/{id}"));
        assert_eq!(status, 200, "{origin}: {body}");
        let stored: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(stored["id"].as_str(), Some(id.as_str()), "{origin}");
    }

    // GitLab with no server configured: nothing sent, and no failure.
    let dir = root.path().join("gitlab-unset");
    let id = exported_run(&dir);
    let out = run_step(gitlab_upload(&job), &dir, "", &write);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.get(&format!("/api/v1/runs/{id}")).0, 404);

    // The examples in docs/ci.md upload the same way.
    let docs = std::fs::read_to_string(repo_root().join("docs/ci.md")).unwrap();
    assert!(
        docs.contains(&indent(UPLOAD, 10)),
        "docs/ci.md: the GitHub upload"
    );
    assert!(
        docs.contains(&indent(GITLAB_UPLOAD, 6)),
        "docs/ci.md: the GitLab upload"
    );
}

fn indent(text: &str, spaces: usize) -> String {
    text.lines()
        .map(|line| format!("{}{line}\n", " ".repeat(spaces)))
        .collect()
}

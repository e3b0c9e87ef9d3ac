//! `benchgate init [DIR]`: a starter benchgate.toml for what the directory holds (a cargo, go or
//! pytest-benchmark project, else plain commands) and, with `--ci`, a workflow that gates pull
//! requests. It never replaces a file unless `--force`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use benchgate_model::Outcome;

use crate::cli::{CiArg, InitArgs};
use crate::output::{eprint_line, write_file};

/// What kind of project a directory holds, as far as benchmarks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Project {
    /// A Cargo.toml; `benches` when it declares or holds benchmarks.
    Cargo { benches: bool },
    /// A go.mod: `go test -bench`.
    Go,
    /// pytest-benchmark named in the Python project's configuration or requirements.
    Pytest,
    /// Anything else: benchmarks are commands.
    Commands,
}

impl Project {
    fn describe(self) -> &'static str {
        match self {
            Project::Cargo { benches: true } => "a cargo project with benchmarks",
            Project::Cargo { benches: false } => "a cargo project (no benches found yet)",
            Project::Go => "a go module",
            Project::Pytest => "a pytest-benchmark project",
            Project::Commands => "no known harness: benchmarks are commands",
        }
    }

    /// The command that measures and gates the pull request (after the merge base was
    /// measured), writing the Markdown report to standard output and the run, as canonical
    /// JSON, to benchgate-run.json (what the upload step sends).
    fn gate_command(self) -> &'static str {
        match self {
            Project::Cargo { .. } => {
                "benchgate exec --baseline \"merge-base:$BASE_BRANCH\" --format markdown --export-json benchgate-run.json -- cargo bench"
            }
            Project::Go => {
                "benchgate exec --baseline \"merge-base:$BASE_BRANCH\" --format markdown --export-json benchgate-run.json -- go test -run '^$' -bench . -count 10 ./..."
            }
            Project::Pytest => {
                "pytest --benchmark-only --benchmark-json=benchmark.json -q >&2; benchgate ingest --baseline \"merge-base:$BASE_BRANCH\" --format markdown --export-json benchgate-run.json benchmark.json"
            }
            Project::Commands => {
                "benchgate run --baseline \"merge-base:$BASE_BRANCH\" --confirm paired --format markdown --export-json benchgate-run.json"
            }
        }
    }

    /// The command that measures the merge base's checkout and stores it, as the baseline.
    fn base_command(self) -> &'static str {
        match self {
            Project::Cargo { .. } => "benchgate exec --quiet -- cargo bench",
            Project::Go => "benchgate exec --quiet -- go test -run '^$' -bench . -count 10 ./...",
            Project::Pytest => {
                "pytest --benchmark-only --benchmark-json=benchmark.json -q && benchgate ingest --quiet benchmark.json"
            }
            Project::Commands => "benchgate run --quiet --config \"$CONFIG\"",
        }
    }
}

/// What `dir` holds. Cargo first (a Rust project may carry Python tooling), then go, then
/// pytest-benchmark.
pub fn detect(dir: &Path) -> Project {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    if let Some(manifest) = read("Cargo.toml") {
        let benches = manifest.contains("[[bench]]") || dir.join("benches").is_dir();
        return Project::Cargo { benches };
    }
    if dir.join("go.mod").is_file() {
        return Project::Go;
    }
    let python = [
        "pyproject.toml",
        "setup.cfg",
        "pytest.ini",
        "tox.ini",
        "requirements.txt",
        "requirements-dev.txt",
    ];
    if python
        .iter()
        .filter_map(|name| read(name))
        .any(|text| text.contains("pytest-benchmark") || text.contains("pytest_benchmark"))
    {
        return Project::Pytest;
    }
    Project::Commands
}

const GATE: &str = r#"[gate]
warn = "5%"             # a regression whose confidence bound passes this warns
fail = "10%"            # and this fails the gate (exit code 1)
alpha = 0.01            # significance, after false-discovery-rate control across the run
baseline = "main"       # what a plain `benchgate run` judges against; CI passes --baseline merge-base
"#;

/// The starter configuration for `project`. It must parse with the real loader (tested).
pub fn config_text(project: Project) -> String {
    let mut text = String::from(
        "# benchgate.toml, written by `benchgate init`: see docs/config.md for every key.\n",
    );
    match project {
        Project::Cargo { benches } => {
            text.push_str(
                "# A cargo project: benchgate reads what `cargo bench` prints (criterion, libtest):\n\
                 #   benchgate exec -- cargo bench\n\
                 # stores the run and judges it against the baseline with the [gate] below.\n",
            );
            if !benches {
                text.push_str(
                    "# No benchmarks were found yet: add benches/*.rs (criterion or #[bench]).\n",
                );
            }
            text.push('\n');
            text.push_str(GATE);
        }
        Project::Go => {
            text.push_str(
                "# A go module: benchgate reads what `go test -bench` prints:\n\
                 #   benchgate exec -- go test -run '^$' -bench . -count 10 ./...\n\
                 # stores the run and judges it against the baseline with the [gate] below.\n\n",
            );
            text.push_str(GATE);
        }
        Project::Pytest => {
            text.push_str(
                "# A pytest-benchmark project: benchgate reads the JSON it writes:\n\
                 #   pytest --benchmark-only --benchmark-json=benchmark.json && benchgate ingest benchmark.json\n\
                 # stores the run and judges it against the baseline with the [gate] below.\n\n",
            );
            text.push_str(GATE);
        }
        Project::Commands => {
            text.push_str(
                "# Benchmarks are commands: `benchgate run` measures each [[bench]], stores the run\n\
                 # and judges it against the baseline with the [gate] below.\n\n\
                 [defaults]\n\
                 warmup = 3\n\
                 min_runs = 10\n\
                 max_time = \"20s\"\n\n",
            );
            text.push_str(GATE);
            text.push_str(
                "confirm = \"paired\"      # suspects are measured again paired against the baseline's commit\n\n\
                 # How to build a checkout of the baseline's commit for paired confirmation.\n\
                 [build]\n\
                 command = \"true\"        # e.g. \"make\" or \"cargo build --release\"\n\n\
                 # Replace with your own commands.\n\
                 [[bench]]\n\
                 name = \"example/sleep\"\n\
                 command = \"sleep 0.01\"\n\n\
                 # A budget: fail when the median goes beyond it, whatever the baseline says.\n\
                 # [[budget]]\n\
                 # bench = \"example/*\"\n\
                 # measure = \"wall_time\"\n\
                 # max = \"50ms\"\n",
            );
        }
    }
    text
}

/// The GitHub Actions workflow for `project`: on pull requests, measure the merge base, gate
/// the pull request against it, post the report as one comment, then pass or fail.
pub fn github_workflow(project: Project) -> String {
    GITHUB_WORKFLOW
        .replace("@BASE_COMMAND@", project.base_command())
        .replace("@GATE_COMMAND@", project.gate_command())
        .replace("@UPLOAD@", &indented(UPLOAD, 10))
}

/// The GitLab CI job for `project` (merge request pipelines).
pub fn gitlab_job(project: Project) -> String {
    GITLAB_JOB
        .replace("@BASE_COMMAND@", project.base_command())
        .replace("@GATE_COMMAND@", project.gate_command())
        .replace("@UPLOAD@", &indented(UPLOAD, 8))
}

/// The upload step's command: the gated run (benchgate-run.json) to `POST /api/v1/runs` of the
/// server at BENCHGATE_SERVER_URL with the write token of BENCHGATE_TOKEN, as `benchgate run
/// --upload` sends one; an answer other than 2xx fails the step and prints the server's reason.
/// curl rather than `--upload`: it sends the run `exec` and `ingest` judged too, and a failed
/// upload stays apart from the gate's verdict.
const UPLOAD: &str = r#"curl --fail-with-body --silent --show-error --max-time 60 \
  --header "Authorization: Bearer $BENCHGATE_TOKEN" \
  --header "Content-Type: application/json" \
  --data-binary @benchgate-run.json "${BENCHGATE_SERVER_URL%/}/api/v1/runs""#;

/// `text` with every line indented by `spaces`.
fn indented(text: &str, spaces: usize) -> String {
    text.lines()
        .map(|line| format!("{}{line}", " ".repeat(spaces)))
        .collect::<Vec<_>>()
        .join("\n")
}

const GITHUB_WORKFLOW: &str = r#"# benchgate on pull requests, written by `benchgate init --ci github`.
# Measures the merge base and the pull request on the same runner, judges the pull request
# against the merge base, and posts the Markdown report as one pull-request comment that later
# pushes update in place. The job fails when the gate fails.
name: benchgate
on:
  pull_request:
permissions:
  contents: read
  pull-requests: write
jobs:
  gate:
    runs-on: ubuntu-latest
    env:
      # Both runs land in one store outside the checkouts.
      BENCHGATE_DB: sqlite://${{ runner.temp }}/benchgate-history.db
      BASE_BRANCH: origin/${{ github.base_ref }}
      CONFIG: ${{ github.workspace }}/benchgate.toml
      # To send every gated run to a team server (`benchgate serve`), set the repository
      # variable BENCHGATE_SERVER_URL (http://HOST:PORT) and the secret BENCHGATE_TOKEN (a write
      # token: benchgate token create --scope write). Unset, the upload step is skipped.
      BENCHGATE_SERVER_URL: ${{ vars.BENCHGATE_SERVER_URL }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # the merge base must be in the clone
      - name: Install benchgate
        # Change to where your benchgate comes from, e.g. cargo install --locked --git URL benchgate
        run: cargo install --locked benchgate
      - name: Measure the merge base
        run: |
          base=$(git merge-base HEAD "$BASE_BRANCH")
          git worktree add --detach "$RUNNER_TEMP/base" "$base"
          cd "$RUNNER_TEMP/base"
          @BASE_COMMAND@ || echo "the merge base did not measure cleanly; judging against what was stored"
      - name: Gate the pull request
        id: gate
        run: |
          set +e
          @GATE_COMMAND@ > benchgate-report.md
          echo "status=$?" >> "$GITHUB_OUTPUT"
          cat benchgate-report.md
      - name: Upload the run to the benchgate server
        # The run the gate judged (not measured again), passed or failed; a fork's pull request
        # gets no secrets, so no upload there.
        if: >-
          always() && env.BENCHGATE_SERVER_URL != '' && hashFiles('benchgate-run.json') != '' &&
          github.event.pull_request.head.repo.full_name == github.repository
        env:
          BENCHGATE_TOKEN: ${{ secrets.BENCHGATE_TOKEN }}
        run: |
@UPLOAD@
      - name: Comment on the pull request
        # A fork's pull request gets a read-only token: no comment there.
        if: always() && github.event.pull_request.head.repo.full_name == github.repository
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: benchgate comment --github benchgate-report.md
      - name: Verdict
        run: exit "${{ steps.gate.outputs.status }}"
"#;

const GITLAB_JOB: &str = r#"# benchgate on merge requests, written by `benchgate init --ci gitlab`: add this job to
# .gitlab-ci.yml (or `include:` this file). Measures the merge base and the merge request in the
# same job, judges the merge request against the merge base, keeps the Markdown report as an
# artifact and, with GITLAB_TOKEN set, posts it as the merge request's one benchgate note.
benchgate:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"
    BENCHGATE_DB: sqlite://$CI_PROJECT_DIR/.benchgate-ci/history.db
    BASE_BRANCH: origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME
    CONFIG: $CI_PROJECT_DIR/benchgate.toml
  script:
    # Change to where your benchgate comes from, e.g. cargo install --locked --git URL benchgate
    - cargo install --locked benchgate
    - mkdir -p .benchgate-ci
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - base=$(git merge-base HEAD "$BASE_BRANCH")
    - git worktree add --detach /tmp/benchgate-base "$base"
    - (cd /tmp/benchgate-base && @BASE_COMMAND@) || echo "the merge base did not measure cleanly"
    # The job fails on the gate's verdict after the upload below.
    - status=0; @GATE_COMMAND@ > benchgate-report.md || status=$?
    # To send every gated run to a team server (`benchgate serve`), set the CI/CD variables
    # BENCHGATE_SERVER_URL (http://HOST:PORT) and BENCHGATE_TOKEN (a write token, masked:
    # benchgate token create --scope write). Unset, nothing is sent.
    - |
      if [ -n "$BENCHGATE_SERVER_URL" ] && [ -f benchgate-run.json ]; then
@UPLOAD@
      fi
    # With the CI/CD variable GITLAB_TOKEN (a project access token with the api scope, masked),
    # the report is the merge request's one benchgate note, edited in place on later pushes.
    - |
      if [ -n "$GITLAB_TOKEN" ]; then
        benchgate comment --gitlab benchgate-report.md || echo "the report could not be posted"
      fi
    - exit "$status"
  after_script:
    - cat benchgate-report.md
  artifacts:
    when: always
    paths:
      - benchgate-report.md
"#;

/// The files `init` writes into `dir`, with their contents, in order.
fn planned_files(dir: &Path, project: Project, ci: Option<CiArg>) -> Vec<(PathBuf, String)> {
    let mut files = vec![(
        dir.join(benchgate_config::DEFAULT_FILE),
        config_text(project),
    )];
    match ci {
        Some(CiArg::Github) => files.push((
            dir.join(".github/workflows/benchgate.yml"),
            github_workflow(project),
        )),
        Some(CiArg::Gitlab) => files.push((dir.join(".gitlab-ci.yml"), gitlab_job(project))),
        None => {}
    }
    files
}

pub fn execute(args: &InitArgs) -> anyhow::Result<Outcome> {
    let dir = &args.dir;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a directory", dir.display());
    }
    let project = detect(dir);
    let files = planned_files(dir, project, args.ci);
    // Check every file before writing any: a refused init leaves the directory as it was.
    if !args.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(path, _)| path.symlink_metadata().is_ok())
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            anyhow::bail!(
                "{} already exists: not replaced (--force replaces it)",
                existing.join(", ")
            );
        }
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write_file(path, text)?;
    }
    eprint_line(&format!("{}: {}", dir.display(), project.describe()));
    for (path, _) in &files {
        eprint_line(&format!("wrote {}", path.display()));
    }
    Ok(Outcome::Passed)
}

//! Turning command-line templates and parameters into concrete [`CommandSpec`]s.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use crate::MeasureError;

/// Upper bound on the values one parameter may produce, so a typo like `0 1e12` fails cleanly
/// instead of exhausting memory.
pub const MAX_PARAMETER_VALUES: usize = 100_000;

/// Upper bound on the benchmarks one expansion may produce (commands × the product of the
/// parameters' value counts), checked before anything is expanded: two scans of 100 000 values
/// would otherwise build 10^10 command lines.
pub const MAX_COMBINATIONS: usize = 100_000;

/// The number of value combinations of `params` (1 without parameters), or `None` when the
/// product overflows.
pub fn combination_count(params: &[Parameter]) -> Option<u64> {
    params.iter().try_fold(1u64, |product, p| {
        product.checked_mul(u64::try_from(p.values.len()).ok()?)
    })
}

/// The number of benchmarks `commands` templates give with `params`, refused above
/// [`MAX_COMBINATIONS`] (checked multiplication: nothing is expanded to find out).
pub fn check_combinations(params: &[Parameter], commands: usize) -> Result<u64, MeasureError> {
    let benchmarks =
        combination_count(params).and_then(|c| c.checked_mul(u64::try_from(commands).ok()?));
    match benchmarks {
        Some(n) if n <= MAX_COMBINATIONS as u64 => Ok(n),
        _ => Err(MeasureError::TooManyCombinations {
            benchmarks,
            limit: MAX_COMBINATIONS,
        }),
    }
}

/// The names of the benchmarks a template named `name` expands to with `params`, in expansion
/// order (first parameter varying slowest): `name/p=v/q=w`. The caller checks the count first
/// ([`check_combinations`]).
pub fn expanded_names(name: &str, params: &[Parameter]) -> Vec<String> {
    combinations(params)
        .iter()
        .map(|combo| named(name, combo))
        .collect()
}

fn named(name: &str, combo: &[(&str, &str)]) -> String {
    let mut name = name.to_owned();
    for (n, v) in combo {
        name.push('/');
        name.push_str(n);
        name.push('=');
        name.push_str(v);
    }
    name
}

/// How a process is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// Executed directly, no shell involved; `argv[0]` is looked up in `PATH` unless it contains `/`.
    Direct { argv: Vec<String> },
    /// `shell -c script`; `shell` may itself contain arguments (`"bash -e"`), split like a shell would.
    Shell { shell: String, script: String },
}

impl Invocation {
    /// One command line as the configuration writes it (`setup = "./start-server"`): split into
    /// words like a shell would, or given to `shell -c` whole. `what` names it in errors.
    pub fn of_line(line: &str, shell: Option<&str>, what: &str) -> Result<Self, MeasureError> {
        invocation_of_tokens(&[line.to_owned()], shell, what)
    }

    /// The argv this invocation executes: itself, or `shell… -c script` with the shell's own
    /// words split like a shell would. `argv[0]` is not looked up in `PATH` here.
    pub fn argv(&self) -> Result<Vec<String>, MeasureError> {
        let argv = match self {
            Invocation::Direct { argv } => argv.clone(),
            Invocation::Shell { shell, script } => {
                let mut words = shell_words::split(shell).map_err(|e| MeasureError::Parse {
                    what: "shell".to_owned(),
                    command: shell.clone(),
                    message: e.to_string(),
                })?;
                if words.is_empty() {
                    return Err(MeasureError::EmptyCommand {
                        what: "shell".to_owned(),
                    });
                }
                words.push("-c".to_owned());
                words.push(script.clone());
                words
            }
        };
        if argv.is_empty() {
            return Err(MeasureError::EmptyCommand {
                what: "command".to_owned(),
            });
        }
        Ok(argv)
    }
}

impl fmt::Display for Invocation {
    /// The command line as a user would type it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invocation::Direct { argv } => f.write_str(&display_tokens(argv)),
            Invocation::Shell { script, .. } => f.write_str(script),
        }
    }
}

/// One `-- CMD` group as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandTemplate {
    /// `--command-name`, if given.
    pub name: Option<String>,
    pub tokens: Vec<String>,
}

/// A benchmark parameter and the values it takes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub values: Vec<String>,
}

impl Parameter {
    /// `--parameter-scan name min max [step]`: integers (step defaults to 1), or decimals, which
    /// need an explicit step. Decimal values are printed with as many decimals as the most precise
    /// of `min`, `max`, `step`, so `0 0.3 0.1` gives `0.0, 0.1, 0.2, 0.3`.
    pub fn scan(
        name: &str,
        min: &str,
        max: &str,
        step: Option<&str>,
    ) -> Result<Self, MeasureError> {
        check_name(name)?;
        let err = |message: String| MeasureError::InvalidParameter {
            name: name.to_owned(),
            message,
        };
        let ints = (
            min.trim().parse::<i64>(),
            max.trim().parse::<i64>(),
            step.map(|s| s.trim().parse::<i64>()),
        );
        let values = match ints {
            (Ok(lo), Ok(hi), None | Some(Ok(_))) => {
                let step = match step {
                    Some(s) => s
                        .trim()
                        .parse::<i64>()
                        .map_err(|e| err(format!("bad step `{s}`: {e}")))?,
                    None => 1,
                };
                if step <= 0 {
                    return Err(err(format!("step must be positive, got {step}")));
                }
                if lo > hi {
                    return Err(err(format!("minimum {lo} is greater than maximum {hi}")));
                }
                // i128 so neither the span nor the count can overflow.
                let count = (i128::from(hi) - i128::from(lo)) / i128::from(step) + 1;
                if count > MAX_PARAMETER_VALUES as i128 {
                    return Err(err(format!(
                        "scan would produce {count} values (limit {MAX_PARAMETER_VALUES})"
                    )));
                }
                (0..count)
                    .map(|i| (i128::from(lo) + i * i128::from(step)).to_string())
                    .collect()
            }
            _ => {
                let Some(step) = step else {
                    return Err(err(format!(
                        "`{min}`..`{max}` is not an integer range; decimal scans need an explicit step"
                    )));
                };
                let parse = |what: &str, s: &str| -> Result<f64, MeasureError> {
                    match s.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(v),
                        _ => Err(err(format!("{what} `{s}` is not a number"))),
                    }
                };
                let (lo, hi, st) = (
                    parse("minimum", min)?,
                    parse("maximum", max)?,
                    parse("step", step)?,
                );
                if st <= 0.0 {
                    return Err(err(format!("step must be positive, got {step}")));
                }
                if lo > hi {
                    return Err(err(format!("minimum {min} is greater than maximum {max}")));
                }
                let decimals = [min, max, step]
                    .iter()
                    .map(|s| decimals_of(s))
                    .max()
                    .unwrap_or(0);
                // Tolerance so 0..0.3 step 0.1 includes 0.3 despite binary rounding.
                let count_f = ((hi - lo) / st + 1e-9).floor() + 1.0;
                if !count_f.is_finite() || count_f > MAX_PARAMETER_VALUES as f64 {
                    return Err(err(format!(
                        "scan would produce too many values (limit {MAX_PARAMETER_VALUES})"
                    )));
                }
                let count = count_f as usize;
                // Multiply instead of accumulating so rounding errors do not add up.
                (0..count)
                    .map(|i| format!("{:.*}", decimals, lo + i as f64 * st))
                    .collect()
            }
        };
        Ok(Parameter {
            name: name.to_owned(),
            values,
        })
    }

    /// `--parameter-list name a,b,c`: the comma-separated values, verbatim.
    pub fn list(name: &str, values: &str) -> Result<Self, MeasureError> {
        check_name(name)?;
        let values: Vec<String> = values.split(',').map(str::to_owned).collect();
        if values.len() > MAX_PARAMETER_VALUES {
            return Err(MeasureError::InvalidParameter {
                name: name.to_owned(),
                message: format!("too many values (limit {MAX_PARAMETER_VALUES})"),
            });
        }
        Ok(Parameter {
            name: name.to_owned(),
            values,
        })
    }
}

fn check_name(name: &str) -> Result<(), MeasureError> {
    let message = if name.is_empty() {
        "the name is empty"
    } else if name.contains(['{', '}']) {
        "the name must not contain `{` or `}`"
    } else {
        return Ok(());
    };
    Err(MeasureError::InvalidParameter {
        name: name.to_owned(),
        message: message.to_owned(),
    })
}

/// Digits after the decimal point as written (`"0.25"` → 2, `"1e-3"` → 0, which is good enough
/// for the plain decimals people type).
fn decimals_of(s: &str) -> usize {
    let s = s.trim();
    match s.split_once('.') {
        Some((_, frac)) => frac.chars().take_while(char::is_ascii_digit).count(),
        None => 0,
    }
}

/// `--prepare`, `--conclude`, `--setup`, `--cleanup` for one command (or all commands).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuxCommands {
    pub prepare: Option<String>,
    pub conclude: Option<String>,
    pub setup: Option<String>,
    pub cleanup: Option<String>,
}

/// A fully expanded benchmark: what to run and what to run around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    /// Unique among the specs returned by one [`expand`] call.
    pub name: String,
    /// The command line after parameter substitution.
    pub display: String,
    pub command: Invocation,
    pub params: BTreeMap<String, String>,
    /// Before every run (warm-up and measured), not timed.
    pub prepare: Option<Invocation>,
    /// After every run, not timed.
    pub conclude: Option<Invocation>,
    /// Once before this command's first run.
    pub setup: Option<Invocation>,
    /// Once after all runs, also when the command failed.
    pub cleanup: Option<Invocation>,
    /// The working directory of the command and its auxiliary commands (`None`: benchgate's).
    /// A program given by a relative path (`./target/release/app`) is found from it.
    pub cwd: Option<PathBuf>,
}

/// Expands templates × parameter combinations into concrete specs.
///
/// `aux` has 0 entries, 1 (applies to every template) or one per template. Every parameter applies
/// to every template (cartesian product, first parameter varying slowest); `{name}` placeholders
/// are substituted in the command and in the auxiliary commands, other `{…}` text is kept.
/// `shell = None` runs commands directly (one token is split like a shell would, several tokens are
/// the argv); `Some(shell)` runs `shell -c script`.
pub fn expand(
    templates: &[CommandTemplate],
    aux: &[AuxCommands],
    params: &[Parameter],
    shell: Option<&str>,
) -> Result<Vec<CommandSpec>, MeasureError> {
    if aux.len() > 1 && aux.len() != templates.len() {
        // Name the first option that was repeated, for a message the user can act on.
        let what = ["prepare", "conclude", "setup", "cleanup"]
            .into_iter()
            .find(|w| {
                aux.iter()
                    .filter(|a| match *w {
                        "prepare" => a.prepare.is_some(),
                        "conclude" => a.conclude.is_some(),
                        "setup" => a.setup.is_some(),
                        _ => a.cleanup.is_some(),
                    })
                    .count()
                    > 1
            })
            .unwrap_or("auxiliary command");
        return Err(MeasureError::AuxCount {
            what: format!("--{what}"),
            given: aux.len(),
            commands: templates.len(),
        });
    }
    if let Some(shell) = shell {
        match shell_words::split(shell) {
            Ok(words) if !words.is_empty() => {}
            Ok(_) => {
                return Err(MeasureError::EmptyCommand {
                    what: "shell".to_owned(),
                });
            }
            Err(e) => return Err(parse_err("shell", shell, e)),
        }
    }
    let mut seen = HashSet::new();
    for p in params {
        check_name(&p.name)?;
        if p.values.is_empty() {
            return Err(MeasureError::InvalidParameter {
                name: p.name.clone(),
                message: "no values".to_owned(),
            });
        }
        if !seen.insert(p.name.as_str()) {
            return Err(MeasureError::InvalidParameter {
                name: p.name.clone(),
                message: "defined more than once".to_owned(),
            });
        }
    }
    for template in templates {
        let aux = aux.iter().flat_map(|a| {
            [&a.prepare, &a.conclude, &a.setup, &a.cleanup]
                .into_iter()
                .flatten()
        });
        for text in template.tokens.iter().chain(aux) {
            if let Some(name) = undefined_placeholder(text, params) {
                return Err(MeasureError::UndefinedPlaceholder {
                    name: name.to_owned(),
                    command: text.clone(),
                });
            }
        }
    }

    check_combinations(params, templates.len())?;
    let combos = combinations(params);

    let mut specs = Vec::with_capacity(templates.len() * combos.len());
    for (t_index, template) in templates.iter().enumerate() {
        if template.tokens.is_empty() || template.tokens.iter().all(|t| t.trim().is_empty()) {
            return Err(MeasureError::EmptyCommand {
                what: format!("command #{}", t_index + 1),
            });
        }
        let aux = match aux.len() {
            0 => None,
            1 => aux.first(),
            _ => aux.get(t_index),
        };
        // `{{`/`}}` read as the braces they stand for.
        let base_name = template
            .name
            .clone()
            .unwrap_or_else(|| substitute(&template.tokens.join(" "), &[]));
        for combo in &combos {
            let values: BTreeMap<String, String> = combo
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            let tokens: Vec<String> = template
                .tokens
                .iter()
                .map(|t| substitute(t, combo))
                .collect();
            let display = display_tokens(&tokens);
            let command = invocation_of_tokens(&tokens, shell, "command")?;
            let aux_inv =
                |what: &str, s: Option<&String>| -> Result<Option<Invocation>, MeasureError> {
                    s.map(|s| invocation_of_tokens(&[substitute(s, combo)], shell, what))
                        .transpose()
                };
            // A named template keeps its name with `/param=value` per parameter; an unnamed one
            // is named by the command it runs, as hyperfine does (never by the template with its
            // `{placeholders}`).
            let name = match &template.name {
                None if !combo.is_empty() => display.clone(),
                _ => named(&base_name, combo),
            };
            specs.push(CommandSpec {
                name,
                display,
                command,
                params: values,
                prepare: aux_inv("prepare command", aux.and_then(|a| a.prepare.as_ref()))?,
                conclude: aux_inv("conclude command", aux.and_then(|a| a.conclude.as_ref()))?,
                setup: aux_inv("setup command", aux.and_then(|a| a.setup.as_ref()))?,
                cleanup: aux_inv("cleanup command", aux.and_then(|a| a.cleanup.as_ref()))?,
                cwd: None,
            });
        }
    }
    dedupe_names(&mut specs);
    Ok(specs)
}

/// All value combinations, first parameter varying slowest; one empty combination without params.
fn combinations(params: &[Parameter]) -> Vec<Vec<(&str, &str)>> {
    let mut combos: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
    for p in params {
        combos = combos
            .iter()
            .flat_map(|c| {
                p.values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((p.name.as_str(), v.as_str()));
                    c
                })
            })
            .collect();
    }
    combos
}

/// Single left-to-right pass, so a value that itself contains `{other}` is not substituted again.
/// Substitutes `{name}` placeholders; `{{` and `}}` are a literal `{` and `}`. Other `{…}`
/// text (`{}`, `{print $1}`, `${HOME}`) is kept as written; [`undefined_placeholder`] has
/// refused a `{name}` that names no parameter.
fn substitute(text: &str, combo: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let brace = &rest[at..];
        if brace.starts_with("{{") || brace.starts_with("}}") {
            out.push_str(&brace[..1]);
            rest = &brace[2..];
            continue;
        }
        if let Some(key) = placeholder(brace)
            && let Some((_, value)) = combo.iter().find(|(n, _)| *n == key)
        {
            out.push_str(value);
            rest = &brace[key.len() + 2..];
            continue;
        }
        out.push_str(&brace[..1]);
        rest = &brace[1..];
    }
    out.push_str(rest);
    out
}

/// The name in a `{name}` at the start of `text`, if it is one: letters, digits, `_`, `-`
/// and `.`, starting with a letter or `_` (what a parameter name looks like).
fn placeholder(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('{')?;
    let close = inner.find('}')?;
    let key = &inner[..close];
    let mut chars = key.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    .then_some(key)
}

/// The first `{name}` in `text` that names no parameter (not `${name}`, a shell's; not
/// `{{name}}`, a literal).
fn undefined_placeholder<'t>(text: &'t str, params: &[Parameter]) -> Option<&'t str> {
    let mut rest = text;
    let mut previous = None;
    while let Some(at) = rest.find(['{', '}']) {
        previous = rest[..at].chars().last().or(previous);
        let brace = &rest[at..];
        if brace.starts_with("{{") || brace.starts_with("}}") {
            previous = brace.chars().next();
            rest = &brace[2..];
            continue;
        }
        if let Some(key) = placeholder(brace)
            && previous != Some('$')
            && !params.iter().any(|p| p.name == key)
        {
            return Some(key);
        }
        previous = brace.chars().next();
        rest = &brace[1..];
    }
    None
}

fn display_tokens(tokens: &[String]) -> String {
    match tokens {
        [one] => one.clone(),
        many => shell_words::join(many),
    }
}

fn parse_err(what: &str, command: &str, e: shell_words::ParseError) -> MeasureError {
    MeasureError::Parse {
        what: what.to_owned(),
        command: command.to_owned(),
        message: e.to_string(),
    }
}

fn invocation_of_tokens(
    tokens: &[String],
    shell: Option<&str>,
    what: &str,
) -> Result<Invocation, MeasureError> {
    let empty = || MeasureError::EmptyCommand {
        what: what.to_owned(),
    };
    match (shell, tokens) {
        (_, []) => Err(empty()),
        (Some(shell), [script]) => {
            if script.trim().is_empty() {
                return Err(empty());
            }
            Ok(Invocation::Shell {
                shell: shell.to_owned(),
                script: script.clone(),
            })
        }
        (Some(shell), many) => Ok(Invocation::Shell {
            shell: shell.to_owned(),
            script: shell_words::join(many),
        }),
        (None, [line]) => {
            let argv = shell_words::split(line).map_err(|e| parse_err(what, line, e))?;
            if argv.is_empty() {
                return Err(empty());
            }
            Ok(Invocation::Direct { argv })
        }
        (None, many) => {
            if many[0].is_empty() {
                return Err(empty());
            }
            Ok(Invocation::Direct {
                argv: many.to_vec(),
            })
        }
    }
}

/// Second and later occurrences of a name get ` #2`, ` #3`, … (skipping suffixes already taken).
fn dedupe_names(specs: &mut [CommandSpec]) {
    let mut taken: HashSet<String> = specs.iter().map(|s| s.name.clone()).collect();
    let mut first_seen = HashSet::new();
    for spec in specs.iter_mut() {
        if first_seen.insert(spec.name.clone()) {
            continue;
        }
        let base = spec.name.clone();
        let mut k = 2u32;
        loop {
            let candidate = format!("{base} #{k}");
            if taken.insert(candidate.clone()) {
                first_seen.insert(candidate.clone());
                spec.name = candidate;
                break;
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_invocation_executes_its_argv_or_shell_dash_c() {
        let shell = Invocation::Shell {
            shell: "bash -e".to_string(),
            script: "echo hi".to_string(),
        };
        assert_eq!(shell.argv().unwrap(), ["bash", "-e", "-c", "echo hi"]);
        let direct = Invocation::Direct {
            argv: vec!["./start-vm".to_string(), "--json".to_string()],
        };
        assert_eq!(direct.argv().unwrap(), ["./start-vm", "--json"]);
        let unsplittable = Invocation::Shell {
            shell: "bash 'x".to_string(),
            script: "true".to_string(),
        };
        assert!(matches!(
            unsplittable.argv(),
            Err(MeasureError::Parse { .. })
        ));
        let empty = Invocation::Direct { argv: Vec::new() };
        assert!(matches!(
            empty.argv(),
            Err(MeasureError::EmptyCommand { .. })
        ));
    }

    use super::*;

    #[test]
    fn substitute_leaves_unknown_and_unbalanced_braces() {
        let combo = [("t", "1"), ("u", "{t}")];
        assert_eq!(
            substitute("a {t} {x} {u} {{t}} {", &combo),
            "a 1 {x} {t} {t} {"
        );
        assert_eq!(
            substitute("find . -exec ls {} ';'", &[]),
            "find . -exec ls {} ';'"
        );
        assert_eq!(substitute("awk '{{print}}'", &[]), "awk '{print}'");
        assert_eq!(
            substitute("awk '{print $1}' {t}", &combo),
            "awk '{print $1}' 1"
        );
    }

    #[test]
    fn an_undefined_placeholder_is_found() {
        let t = [Parameter::list("t", "1,2").unwrap()];
        assert_eq!(undefined_placeholder("echo {x}", &[]), Some("x"));
        assert_eq!(undefined_placeholder("sleep {t} {typo}", &t), Some("typo"));
        assert_eq!(undefined_placeholder("sleep {t}", &t), None);
        for kept in [
            "echo ${HOME} ${t}",
            "find . -exec ls {} ';'",
            "awk '{print $1}'",
            "awk '{{print}}'",
            "curl -d '{\"a\":1}'",
            "{ unbalanced",
        ] {
            assert_eq!(undefined_placeholder(kept, &[]), None, "{kept}");
        }
    }

    #[test]
    fn decimal_scan_includes_max() {
        let p = Parameter::scan("x", "0", "0.3", Some("0.1")).unwrap();
        assert_eq!(p.values, ["0.0", "0.1", "0.2", "0.3"]);
        let p = Parameter::scan("x", "1", "2", Some("0.25")).unwrap();
        assert_eq!(p.values, ["1.00", "1.25", "1.50", "1.75", "2.00"]);
    }

    #[test]
    fn scan_errors() {
        assert!(Parameter::scan("x", "0", "1.5", None).is_err());
        assert!(Parameter::scan("x", "5", "1", None).is_err());
        assert!(Parameter::scan("x", "0", "10", Some("0")).is_err());
        assert!(Parameter::scan("x", "0", "10000000000", None).is_err());
        assert!(Parameter::scan("", "0", "1", None).is_err());
        assert!(Parameter::scan("x", "a", "b", Some("1")).is_err());
        assert!(Parameter::scan("x", "-1.5", "0", Some("-0.5")).is_err());
    }

    #[test]
    fn dedupe() {
        let t = CommandTemplate {
            name: Some("a".into()),
            tokens: vec!["true".into()],
        };
        let t2 = CommandTemplate {
            name: Some("a #2".into()),
            tokens: vec!["true".into()],
        };
        let specs = expand(&[t.clone(), t.clone(), t2, t], &[], &[], None).unwrap();
        let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "a #3", "a #2", "a #4"]);
    }
}

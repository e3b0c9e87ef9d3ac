//! Template and parameter expansion.

use std::collections::BTreeMap;

use benchgate_measure::{
    AuxCommands, CommandTemplate, Invocation, MAX_COMBINATIONS, MeasureError, Parameter,
    check_combinations, expand,
};

fn tpl(tokens: &[&str]) -> CommandTemplate {
    CommandTemplate {
        name: None,
        tokens: tokens.iter().map(|s| s.to_string()).collect(),
    }
}

fn argv(inv: &Invocation) -> Vec<&str> {
    match inv {
        Invocation::Direct { argv } => argv.iter().map(String::as_str).collect(),
        other => panic!("expected direct invocation, got {other:?}"),
    }
}

#[test]
fn plain_commands_single_token_is_split_several_tokens_are_argv() {
    let specs = expand(
        &[
            tpl(&["sleep 0.1"]),
            tpl(&["echo", "a b", "c"]),
            tpl(&["printf '%s\\n' \"x y\""]),
        ],
        &[],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(specs.len(), 3);
    assert_eq!(specs[0].name, "sleep 0.1");
    assert_eq!(argv(&specs[0].command), ["sleep", "0.1"]);
    assert_eq!(specs[1].name, "echo a b c");
    assert_eq!(argv(&specs[1].command), ["echo", "a b", "c"]);
    assert_eq!(specs[1].display, "echo 'a b' c");
    assert_eq!(argv(&specs[2].command), ["printf", "%s\\n", "x y"]);
    assert!(specs.iter().all(|s| s.params.is_empty()));
}

#[test]
fn parameter_scan_substitutes_and_names_uniquely() {
    let t = Parameter::scan("t", "1", "3", None).unwrap();
    assert_eq!(t.values, ["1", "2", "3"]);
    let aux = AuxCommands {
        prepare: Some("touch /tmp/{t}".into()),
        ..Default::default()
    };
    let specs = expand(&[tpl(&["sleep {t}"])], &[aux], &[t], None).unwrap();
    let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
    // Unnamed: each is named by the command it runs (as hyperfine shows it), not by the
    // template with its placeholder.
    assert_eq!(names, ["sleep 1", "sleep 2", "sleep 3"]);
    assert_eq!(argv(&specs[1].command), ["sleep", "2"]);
    assert_eq!(specs[1].display, "sleep 2");
    assert_eq!(
        specs[1].params,
        BTreeMap::from([("t".to_string(), "2".to_string())])
    );
    assert_eq!(
        argv(specs[2].prepare.as_ref().unwrap()),
        ["touch", "/tmp/3"]
    );
}

#[test]
fn parameter_scan_with_step() {
    let p = Parameter::scan("n", "0", "10", Some("4")).unwrap();
    assert_eq!(p.values, ["0", "4", "8"]);
    let p = Parameter::scan("t", "0.1", "0.3", Some("0.1")).unwrap();
    assert_eq!(p.values, ["0.1", "0.2", "0.3"]);
    let specs = expand(&[tpl(&["sleep {t}"])], &[], &[p], None).unwrap();
    assert_eq!(specs[0].name, "sleep 0.1");
    assert_eq!(argv(&specs[2].command), ["sleep", "0.3"]);
    // Named: the name, then each parameter.
    let named = CommandTemplate {
        name: Some("nap".into()),
        tokens: vec!["sleep {t}".into()],
    };
    let specs = expand(
        &[named],
        &[],
        &[Parameter::scan("t", "1", "2", None).unwrap()],
        None,
    )
    .unwrap();
    let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["nap/t=1", "nap/t=2"]);
    // Decimal bounds without a step are rejected with a clear message.
    let err = Parameter::scan("t", "0.1", "0.3", None).unwrap_err();
    assert!(err.to_string().contains("explicit step"), "{err}");
}

#[test]
fn parameter_lists_form_a_cartesian_product_in_order() {
    let a = Parameter::list("a", "1,2").unwrap();
    let b = Parameter::list("b", "x,y,z").unwrap();
    let t = CommandTemplate {
        name: Some("cmd".into()),
        tokens: vec!["echo".into(), "{a}-{b}".into(), "{{c}}".into()],
    };
    // An undefined `{c}` is an error naming it; `{{c}}` is a literal `{c}`.
    let mut undefined = t.clone();
    undefined.tokens[2] = "{c}".into();
    let err = expand(&[undefined], &[], &[a.clone(), b.clone()], None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`{c}`: placeholder {c} names no parameter (define a parameter c, or write {{c}} for a literal {c})"
    );
    let specs = expand(&[t], &[], &[a, b], None).unwrap();
    let got: Vec<(String, Vec<&str>)> = specs
        .iter()
        .map(|s| (s.name.clone(), argv(&s.command)))
        .collect();
    assert_eq!(
        got,
        [
            ("cmd/a=1/b=x".to_string(), vec!["echo", "1-x", "{c}"]),
            ("cmd/a=1/b=y".to_string(), vec!["echo", "1-y", "{c}"]),
            ("cmd/a=1/b=z".to_string(), vec!["echo", "1-z", "{c}"]),
            ("cmd/a=2/b=x".to_string(), vec!["echo", "2-x", "{c}"]),
            ("cmd/a=2/b=y".to_string(), vec!["echo", "2-y", "{c}"]),
            ("cmd/a=2/b=z".to_string(), vec!["echo", "2-z", "{c}"]),
        ]
    );
    assert_eq!(specs[4].params.get("b").map(String::as_str), Some("y"));
}

#[test]
fn shell_mode_keeps_script_or_joins_tokens() {
    let specs = expand(
        &[tpl(&["echo $HOME | wc -c"]), tpl(&["echo", "a b"])],
        &[],
        &[],
        Some("sh"),
    )
    .unwrap();
    assert_eq!(
        specs[0].command,
        Invocation::Shell {
            shell: "sh".into(),
            script: "echo $HOME | wc -c".into()
        }
    );
    assert_eq!(
        specs[1].command,
        Invocation::Shell {
            shell: "sh".into(),
            script: "echo 'a b'".into()
        }
    );
}

#[test]
fn aux_per_command_or_shared() {
    let shared = AuxCommands {
        setup: Some("true".into()),
        ..Default::default()
    };
    let specs = expand(
        &[tpl(&["true"]), tpl(&["false"])],
        std::slice::from_ref(&shared),
        &[],
        None,
    )
    .unwrap();
    assert!(
        specs
            .iter()
            .all(|s| s.setup.is_some() && s.prepare.is_none())
    );

    let per = [
        AuxCommands {
            cleanup: Some("echo one".into()),
            ..Default::default()
        },
        AuxCommands {
            cleanup: Some("echo two".into()),
            ..Default::default()
        },
    ];
    let specs = expand(&[tpl(&["true"]), tpl(&["false"])], &per, &[], None).unwrap();
    assert_eq!(argv(specs[1].cleanup.as_ref().unwrap()), ["echo", "two"]);

    let err = expand(
        &[tpl(&["true"]), tpl(&["false"]), tpl(&["true"])],
        &per,
        &[],
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            MeasureError::AuxCount {
                given: 2,
                commands: 3,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn duplicate_names_get_suffixes() {
    let specs = expand(
        &[tpl(&["true"]), tpl(&["true"]), tpl(&["true"])],
        &[],
        &[],
        None,
    )
    .unwrap();
    let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["true", "true #2", "true #3"]);
}

#[test]
fn unbalanced_quote_and_empty_commands_are_errors() {
    let err = expand(&[tpl(&["echo 'oops"])], &[], &[], None).unwrap_err();
    assert!(matches!(err, MeasureError::Parse { .. }), "{err:?}");
    assert!(err.to_string().contains("echo 'oops"), "{err}");

    let aux = AuxCommands {
        prepare: Some("rm \"x".into()),
        ..Default::default()
    };
    let err = expand(&[tpl(&["true"])], &[aux], &[], None).unwrap_err();
    assert!(err.to_string().contains("prepare"), "{err}");

    for tokens in [vec![], vec!["   "], vec![""]] {
        let err = expand(&[tpl(&tokens)], &[], &[], None).unwrap_err();
        assert!(matches!(err, MeasureError::EmptyCommand { .. }), "{err:?}");
    }
    let err = expand(&[tpl(&[""])], &[], &[], Some("sh")).unwrap_err();
    assert!(matches!(err, MeasureError::EmptyCommand { .. }), "{err:?}");
}

#[test]
fn bad_parameters_are_rejected() {
    let a = Parameter::list("a", "1").unwrap();
    let err = expand(&[tpl(&["echo {a}"])], &[], &[a.clone(), a], None).unwrap_err();
    assert!(
        matches!(err, MeasureError::InvalidParameter { .. }),
        "{err:?}"
    );
    let empty = Parameter {
        name: "e".into(),
        values: vec![],
    };
    assert!(expand(&[tpl(&["echo {e}"])], &[], &[empty], None).is_err());
    assert!(Parameter::list("{x}", "1").is_err());
}

/// The product of the parameters' value counts is refused before anything is expanded: two
/// scans of 100 000 values once built 10^10 command lines (9 GB and growing).
#[test]
fn too_many_combinations_are_refused_before_expanding() {
    let scan = |name: &str, max: &str| Parameter::scan(name, "1", max, None).unwrap();
    let err = expand(
        &[tpl(&["echo {a} {b}"])],
        &[],
        &[scan("a", "400"), scan("b", "400")],
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the parameters' values multiply out to 160000 benchmarks; the limit is 100000 (use \
         fewer values)"
    );
    // Two commands count twice.
    let half = [scan("a", "250"), scan("b", "250")];
    assert_eq!(check_combinations(&half, 1).unwrap(), 62_500);
    assert!(check_combinations(&half, 2).is_err());
    // A product beyond 64 bits is refused, not wrapped.
    let huge: Vec<Parameter> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| scan(n, "100000"))
        .collect();
    assert_eq!(
        check_combinations(&huge, 1).unwrap_err().to_string(),
        "the parameters' values multiply out to more than 2^64 benchmarks; the limit is 100000 \
         (use fewer values)"
    );
    // At the limit exactly, expansion goes ahead.
    let specs = expand(
        &[tpl(&["echo {a}"])],
        &[],
        &[scan("a", &MAX_COMBINATIONS.to_string())],
        None,
    )
    .unwrap();
    assert_eq!(specs.len(), MAX_COMBINATIONS);
}

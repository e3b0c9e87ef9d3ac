//! The scenarios' figures: exact for the seed, the same on every replay, and what each scenario
//! is there to show — including the mistakes the budgets must catch.

use std::time::Duration;

use vm_cleanup::{Figures, LEVELS, MS, Scenario, Variant, paused_runtime};

fn replay(scenario: &Scenario, variant: Variant) -> Figures {
    let rt = paused_runtime().unwrap();
    rt.block_on(scenario.replay(&variant.policy(), variant.grace()))
        .unwrap()
}

fn all_scenarios() -> Vec<Scenario> {
    let mut all = vec![
        Scenario::healthy(),
        Scenario::flaky(),
        Scenario::down(),
        Scenario::shutdown(),
    ];
    all.extend(LEVELS.map(Scenario::flaky_at));
    all
}

#[test]
fn every_replay_gives_the_same_figures() {
    let rt = paused_runtime().unwrap();
    let policy = Variant::Correct.policy();
    for scenario in all_scenarios() {
        let first = replay(&scenario, Variant::Correct);
        // Again on a fresh runtime, and twice more on one whose clock has moved on.
        assert_eq!(replay(&scenario, Variant::Correct), first, "{scenario:?}");
        for _ in 0..2 {
            let again = rt
                .block_on(scenario.replay(&policy, Variant::Correct.grace()))
                .unwrap();
            assert_eq!(again, first, "{scenario:?}");
        }
    }
}

#[test]
fn a_healthy_backend_takes_one_call_per_cleanup() {
    let f = replay(&Scenario::healthy(), Variant::Correct);
    assert_eq!((f.ops, f.calls, f.succeeded), (200, 200, 200));
    assert_eq!(f.calls_per_op(), 1.0);
    assert_eq!(f.max_concurrent_calls, 1);
    assert_eq!(f.give_up_time(), None);
    // 200 cleanups of one 10 ms call, one after another.
    assert_eq!(f.span, Duration::from_secs(2));
}

#[test]
fn a_backend_failing_40_percent_of_calls_takes_1_551_calls_per_cleanup() {
    let f = replay(&Scenario::flaky(), Variant::Correct);
    // Expected 1 + 0.4 + 0.16 = 1.56; seed 14 gives 1 551 calls for 1 000 cleanups.
    assert_eq!((f.ops, f.calls), (1000, 1551));
    assert_eq!(f.calls_per_op(), 1.551);
    // 0.4³ = 6.4 % expected to fail three times: 60 here.
    assert_eq!((f.succeeded, f.gave_up), (940, 60));
    assert_eq!(f.success_rate(), 0.94);
    assert_eq!(f.max_concurrent_calls, 1);
}

#[test]
fn each_level_really_has_that_many_calls_in_flight() {
    let mut previous_throughput = 0.0;
    for level in LEVELS {
        let f = replay(&Scenario::flaky_at(level), Variant::Correct);
        assert_eq!(f.ops, level * (1000 / level));
        assert_eq!(f.max_concurrent_calls, level, "level {level}");
        let calls = f.calls_per_op();
        assert!((1.5..1.6).contains(&calls), "level {level}: {calls}");
        // More cleaners at once, more cleanups per simulated second.
        assert!(
            f.ops_per_sim_second() > previous_throughput,
            "level {level}"
        );
        previous_throughput = f.ops_per_sim_second();
    }
}

#[test]
fn a_backend_that_is_down_costs_exactly_three_calls_and_gives_up_in_45_ms_at_most() {
    let f = replay(&Scenario::down(), Variant::Correct);
    assert_eq!((f.ops, f.calls, f.gave_up, f.succeeded), (100, 300, 100, 0));
    assert_eq!(f.calls_per_op(), 3.0);
    assert_eq!(f.max_concurrent_calls, 50);
    // Three 5 ms calls and two waits drawn from [0, 10 ms] and [0, 20 ms].
    assert_eq!(f.give_up_time(), Some(Duration::from_micros(30_060)));
    assert!(f.give_up_max <= MS * 45, "{:?}", f.give_up_max);
    // Doubling, with jitter: the second wait is about twice the first.
    let growth = f.backoff_growth().unwrap();
    assert!((1.5..2.5).contains(&growth), "{growth}");
    // Jitter spreads the 50 cleaners' retries: at most 8 start in the same millisecond.
    assert_eq!(f.retry_burst, 8);
}

#[test]
fn shutdown_with_a_grace_period_completes_every_cleanup_in_flight() {
    let f = replay(&Scenario::shutdown(), Variant::Correct);
    assert_eq!(f.max_concurrent_calls, 100);
    assert_eq!((f.completed, f.succeeded), (100, 100));
    assert_eq!(f.completed_rate(), 1.0);
    assert_eq!(f.calls, 105);

    let dropped = replay(&Scenario::shutdown(), Variant::NoGrace);
    assert_eq!((dropped.completed, dropped.succeeded), (0, 0));
    assert_eq!(dropped.span, MS * 3);
}

#[test]
fn the_usual_mistakes_show_in_the_figures() {
    let down = Scenario::down();
    let fixed = replay(&down, Variant::FixedSleep);
    assert_eq!(fixed.backoff_growth(), Some(1.0));
    assert_eq!(fixed.retry_burst, 50);
    assert_eq!(fixed.give_up_time(), Some(MS * 35));

    let lockstep = replay(&down, Variant::NoJitter);
    assert_eq!(lockstep.backoff_growth(), Some(2.0));
    assert_eq!(lockstep.retry_burst, 50);

    // Five attempts, cut short by the 100 ms deadline now and then.
    let five = replay(&down, Variant::MaxAttempts5);
    assert_eq!(five.calls, 452);
    assert!(five.give_up_max <= MS * 105, "{:?}", five.give_up_max);
}

#[test]
fn variants_are_named_and_a_wrong_name_says_which_exist() {
    for name in Variant::NAMES {
        assert_eq!(Variant::parse(name).unwrap().name(), name);
    }
    assert_eq!(Variant::parse("").unwrap(), Variant::Correct);
    assert_eq!(
        Variant::parse("sleep").unwrap_err(),
        "VM_CLEANUP_POLICY=\"sleep\": expected one of correct, fixed-sleep, no-jitter, \
         max-attempts-5, no-grace"
    );
}

//! The property search: proptest's state machine test with [`Plan`] generating the cases and a
//! [`Case`] as the system under test, one seed for every random choice, shrinking to a minimal
//! sequence; and the plain execution of one sequence, which a failure's report and a replay
//! file use.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::{Duration, Instant};

use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use super::case::{Case, Line};
use super::context::Context;
use super::plan::Plan;
use super::transition::Transition;
use crate::check::Finding;
use crate::error::Error;

/// The longest a search shrinks a failure, in ms.
const MAX_SHRINK_TIME_MS: u32 = 120_000;

thread_local! {
    /// The context of the search running on this thread: `StateMachineTest::init_test` is a
    /// static function, so this is how a case reaches the target.
    static ACTIVE: RefCell<Option<Rc<Context>>> = const { RefCell::new(None) };
}

/// Makes a context the active one for as long as it lives.
struct Activation;

impl Activation {
    fn new(ctx: Rc<Context>) -> Activation {
        ACTIVE.with(|active| *active.borrow_mut() = Some(ctx));
        Activation
    }
}

impl Drop for Activation {
    fn drop(&mut self) {
        ACTIVE.with(|active| active.borrow_mut().take());
    }
}

/// The state machine test: each case is a [`Case`]; a violated postcondition panics with the
/// violation, which proptest catches (silently: `handle-panics`) and shrinks.
struct Properties;

impl StateMachineTest for Properties {
    type SystemUnderTest = Case;
    type Reference = Plan;

    fn init_test(plan: &Plan) -> Case {
        let ctx = ACTIVE
            .with(|active| active.borrow().clone())
            .expect("a props search is active on this thread");
        Case::start(ctx, plan.sessions()).unwrap_or_else(|violation| panic!("{violation}"))
    }

    fn apply(mut case: Case, _: &Plan, transition: Transition) -> Case {
        if let Err(violation) = case.step(&transition) {
            panic!("{violation}");
        }
        case
    }
}

/// How a search is made.
#[derive(Debug, Clone, Copy)]
pub struct Search {
    /// How many cases to run.
    pub cases: u32,
    /// Each case has 1 to this many transitions.
    pub max_steps: usize,
    /// The seed of every random choice of the search.
    pub seed: u64,
    /// How many re-runs shrinking may make; `None`: proptest's default (4 × cases).
    pub shrink_iters: Option<u32>,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Found {
    /// Cases that passed before the first failure (all of them if none failed).
    pub passed: u32,
    /// The time those cases took, without shrinking.
    pub elapsed: Duration,
    /// The minimal failing case: its population and transitions, and proptest's message.
    pub failure: Option<(usize, Vec<Transition>, String)>,
}

/// Runs the search against the context's target.
pub fn search(ctx: &Rc<Context>, search: Search) -> Result<Found, Error> {
    let config = Config {
        cases: search.cases,
        max_shrink_iters: search.shrink_iters.unwrap_or(u32::MAX),
        max_shrink_time: MAX_SHRINK_TIME_MS,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(search.seed),
        fork: false,
        timeout: 0,
        verbose: 0,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let strategy = Plan::sequential_strategy(1..=search.max_steps.max(1));
    let _active = Activation::new(ctx.clone());
    let passed = Cell::new(0);
    let first_failure = Cell::new(None);
    let started = Instant::now();
    let result = runner.run(&strategy, |(plan, transitions, seen)| {
        let run = || Properties::test_sequential(config.clone(), plan, transitions, seen);
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(()) => {
                if first_failure.get().is_none() {
                    passed.set(passed.get() + 1);
                }
                Ok(())
            }
            Err(panic) => {
                if first_failure.get().is_none() {
                    first_failure.set(Some(started.elapsed()));
                }
                Err(TestCaseError::fail(panic_message(panic)))
            }
        }
    });
    let elapsed = first_failure.get().unwrap_or_else(|| started.elapsed());
    let failure = match result {
        Ok(()) => None,
        Err(TestError::Fail(reason, (plan, transitions, _))) => {
            Some((plan.sessions(), transitions, reason.to_string()))
        }
        Err(TestError::Abort(reason)) => return Err(Error::Aborted(reason.to_string())),
    };
    Ok(Found {
        passed: passed.get(),
        elapsed,
        failure,
    })
}

/// The outcome of one sequence run as written.
#[derive(Debug, Clone)]
pub struct Execution {
    /// The first postcondition that did not hold.
    pub violation: Option<Finding>,
    /// The requests made, for the report.
    pub lines: Vec<Line>,
}

/// Runs one sequence over a population of `sessions`, stopping at the first violation.
pub fn execute(ctx: &Rc<Context>, sessions: usize, transitions: &[Transition]) -> Execution {
    let mut case = match Case::start(ctx.clone(), sessions) {
        Ok(case) => case,
        Err(violation) => {
            return Execution {
                violation: Some(*violation),
                lines: Vec::new(),
            }
        }
    };
    let violation = transitions
        .iter()
        .find_map(|transition| case.step(transition).err())
        .map(|violation| *violation);
    Execution {
        violation,
        lines: case.lines().to_vec(),
    }
}

/// A sequence that the reference state machine could have generated: each transition names a
/// session of the population and is allowed in the state the ones before it left.
pub fn admissible(sessions: usize, transitions: &[Transition]) -> Result<(), String> {
    let mut plan = Plan::new(sessions);
    for (i, transition) in transitions.iter().enumerate() {
        if !Plan::preconditions(&plan, transition) {
            return Err(format!(
                "transition {} ({transition}) does not fit a population of {sessions} in that state",
                i + 1
            ));
        }
        plan = Plan::apply(plan, transition);
    }
    Ok(())
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(message) => *message,
        Err(panic) => panic.downcast_ref::<&str>().map_or_else(
            || "a panic without a message".to_string(),
            |s| s.to_string(),
        ),
    }
}

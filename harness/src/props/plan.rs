//! The reference state machine that generates cases: a population of 2–4 sessions and a sequence
//! of transitions over it. It keeps only what decides which transitions make sense — how many
//! sessions there are and which ones run a client request — because the control API defines
//! `busy` and `query` for an idle session and `idle` for a busy one. What the target should
//! answer is the business of the [model](super::model), which learns from the target where the
//! spec allows a choice; a sequence therefore never depends on timing and replays as written.

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest_state_machine::ReferenceStateMachine;
use serde_json::{json, Value};

use super::transition::{
    BodyForm, Fields, FilterData, FilterEntry, Page, Param, RowFilter, Transition,
};

/// The fewest and most sessions a case creates.
pub const POPULATION: std::ops::RangeInclusive<usize> = 2..=4;

/// The ttl values a DELETE sends (spec §8.1): positive ones arm a countdown of 1–3 s, written as
/// `atoi` reads them; the others kill at once.
const POSITIVE_TTLS: [&str; 7] = ["1", "2", "3", "+2", " 1", "2abc", "1.5"];
const OTHER_TTLS: [&str; 6] = ["0", "-1", "-5", "abc", "", "0x10"];

/// The generation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Which sessions run a client request, one per session of the population.
    pub busy: Vec<bool>,
}

impl Plan {
    /// A population of `sessions` idle sessions.
    pub fn new(sessions: usize) -> Plan {
        Plan {
            busy: vec![false; sessions],
        }
    }

    /// How many sessions the case creates.
    pub fn sessions(&self) -> usize {
        self.busy.len()
    }

    fn slots(&self, busy: bool) -> Vec<usize> {
        (0..self.sessions())
            .filter(|&slot| self.busy[slot] == busy)
            .collect()
    }
}

impl ReferenceStateMachine for Plan {
    type State = Plan;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Plan> {
        POPULATION.prop_map(Plan::new).boxed()
    }

    fn transitions(plan: &Plan) -> BoxedStrategy<Transition> {
        let slot = 0..plan.sessions();
        let mut choices: Vec<(u32, BoxedStrategy<Transition>)> = vec![
            (14, patch(slot.clone())),
            (4, patch_filters(slot.clone())),
            (
                5,
                slot.clone()
                    .prop_map(|session| Transition::Restart { session })
                    .boxed(),
            ),
            (2, Just(Transition::RestartAll).boxed()),
            (5, delete(slot.clone())),
            (4, get_one(slot.clone())),
            (6, get_all(slot)),
            (
                8,
                (1..=25u8)
                    .prop_map(|tenths| Transition::Advance { tenths })
                    .boxed(),
            ),
        ];
        let idle = plan.slots(false);
        if !idle.is_empty() {
            choices.push((
                5,
                select(idle.clone())
                    .prop_map(|session| Transition::Busy { session })
                    .boxed(),
            ));
            choices.push((
                8,
                select(idle)
                    .prop_map(|session| Transition::Query { session })
                    .boxed(),
            ));
        }
        let busy = plan.slots(true);
        if !busy.is_empty() {
            choices.push((
                6,
                select(busy)
                    .prop_map(|session| Transition::Idle { session })
                    .boxed(),
            ));
        }
        Union::new_weighted(choices).boxed()
    }

    fn preconditions(plan: &Plan, transition: &Transition) -> bool {
        let Some(slot) = transition.session() else {
            return true;
        };
        slot < plan.sessions()
            && match transition {
                Transition::Busy { .. } | Transition::Query { .. } => !plan.busy[slot],
                Transition::Idle { .. } => plan.busy[slot],
                _ => true,
            }
    }

    fn apply(mut plan: Plan, transition: &Transition) -> Plan {
        match transition {
            Transition::Busy { session } => plan.busy[*session] = true,
            Transition::Idle { session } | Transition::Query { session } => {
                plan.busy[*session] = false
            }
            _ => {}
        }
        plan
    }
}

fn patch(slot: std::ops::Range<usize>) -> BoxedStrategy<Transition> {
    let form = prop_oneof![
        3 => Just(BodyForm::Relationships),
        1 => Just(BodyForm::NestedInAttributes),
    ];
    let filters = prop_oneof![2 => Just(None), 3 => filter_data().prop_map(Some)];
    (slot, form, parameters(), filters)
        .prop_map(|(session, form, parameters, filters)| Transition::Patch {
            session,
            form,
            parameters,
            filters,
        })
        .boxed()
}

fn patch_filters(slot: std::ops::Range<usize>) -> BoxedStrategy<Transition> {
    (slot, filter_data())
        .prop_map(|(session, filters)| Transition::PatchFilters { session, filters })
        .boxed()
}

/// 0–3 log parameters: mostly booleans, sometimes values and keys that are ignored (spec §6.1).
fn parameters() -> impl Strategy<Value = BTreeMap<Param, Value>> {
    let param = prop_oneof![
        3 => Just(Param::LogInfo),
        3 => Just(Param::LogNotice),
        3 => Just(Param::LogWarning),
        3 => Just(Param::LogError),
        2 => Just(Param::LogDebug),
        1 => Just(Param::LogEverything),
    ];
    let value = prop_oneof![
        8 => any::<bool>().prop_map(Value::Bool),
        1 => Just(json!("true")),
        1 => Just(json!(1)),
        1 => Just(Value::Null),
    ];
    btree_map(param, value, 0..=3)
}

/// A filter relationship's `data`: mostly lists of known names (empty lists too), sometimes with
/// an entry that fails (spec §6.3.2, doc-vs-code A8), sometimes `null` (spec §6.3.1).
fn filter_data() -> impl Strategy<Value = FilterData> {
    let entry = prop_oneof![
        10 => (any::<u8>(), prop::bool::weighted(0.8))
            .prop_map(|(index, typed)| FilterEntry::Known { index, typed }),
        1 => Just(FilterEntry::Unknown),
        1 => select(vec![json!(5), json!(1.5), json!(true), Value::Null, json!({}), json!([])])
            .prop_map(FilterEntry::NonStringId),
        1 => Just(FilterEntry::MissingId),
    ];
    prop_oneof![
        12 => vec(entry, 0..=3).prop_map(FilterData::List),
        1 => Just(FilterData::Null),
    ]
}

fn delete(slot: std::ops::Range<usize>) -> BoxedStrategy<Transition> {
    let ttl = prop_oneof![
        2 => Just(None),
        4 => select(POSITIVE_TTLS.to_vec()).prop_map(|t| Some(t.to_string())),
        2 => select(OTHER_TTLS.to_vec()).prop_map(|t| Some(t.to_string())),
    ];
    (slot, ttl)
        .prop_map(|(session, ttl)| Transition::Delete { session, ttl })
        .boxed()
}

fn fields() -> impl Strategy<Value = Fields> {
    select(vec![
        Fields::Parameters,
        Fields::LogInfo,
        Fields::StateAndFilters,
        Fields::Connections,
    ])
}

fn get_one(slot: std::ops::Range<usize>) -> BoxedStrategy<Transition> {
    (slot, proptest::option::of(fields()))
        .prop_map(|(session, fields)| Transition::GetOne { session, fields })
        .boxed()
}

fn get_all(slot: std::ops::Range<usize>) -> BoxedStrategy<Transition> {
    let filter = prop_oneof![
        slot.prop_map(|session| RowFilter::Id { session }),
        (
            select(vec![Param::LogInfo, Param::LogError, Param::LogDebug]),
            any::<bool>()
        )
            .prop_map(|(param, value)| RowFilter::Flag { param, value }),
        any::<u8>().prop_map(|index| RowFilter::FirstFilter { index }),
        Just(RowFilter::Started),
    ];
    let page = (1..=3u8, 0..=3u8).prop_map(|(size, number)| Page { size, number });
    (
        proptest::option::of(fields()),
        proptest::option::of(filter),
        proptest::option::weighted(0.4, page),
    )
        .prop_map(|(fields, filter, page)| Transition::GetAll {
            fields,
            filter,
            page,
        })
        .boxed()
}

//! How a request moves: client → edges → nodes → answers back. Calls are
//! synchronous: a caller waits for each downstream answer before going on,
//! and a blocking service keeps its worker meanwhile.

use rand::RngExt;

use super::breaker::Transition;
use super::call::{Call, CallState, FanOutTally, NONE, RequestInfo};
use super::call_policy::Fallback;
use super::engine::MAX_CALLS_IN_FLIGHT;
use super::health_check::LbHealth;
use super::idempotency::WriteEffect;
use super::node::{Behaviour, ClientBehaviour, DatabaseBehaviour};
use super::station::Admission;
use crate::scenario::{LimitPer, WaitFor};

use super::{CallId, Event, FailureReason, Outcome, SimEventKind, SimTime, Simulation, TimeoutList, TimeoutOwner};

/// Shortest think time of a closed-loop user, nanoseconds.
const MIN_THINK_NS: u64 = 1_000;

const NO_CALL: CallId = CallId { index: NONE, generation: 0 };

impl Simulation {
    // ----- clients -------------------------------------------------------

    pub(super) fn on_client_arrival(&mut self, node: u32, generation: u32) {
        let Behaviour::Client(client) = &self.nodes[node as usize].behaviour else { return };
        if client.arrival_generation != generation {
            return; // the rate changed and this arrival was drawn again
        }
        self.start_request(node);
        self.schedule_next_arrival(node);
    }

    /// Draws and schedules an open-loop client's next arrival.
    pub(super) fn schedule_next_arrival(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Client(client) = &mut n.behaviour else { return };
        let Some(arrivals) = &mut client.arrivals else { return };
        if let Some(t) = arrivals.next_after(now.as_secs(), &mut n.rng) {
            // At least a nanosecond later: whatever the rate and however
            // coarse a double is far into a run, the clock moves on.
            let at = SimTime::from_secs(t).max(SimTime(now.0 + 1));
            let generation = client.arrival_generation;
            self.schedule(at, Event::ClientArrival { node, generation });
        }
    }

    /// A client makes one logical request (with its retries to come).
    pub(super) fn start_request(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Client(client) = &mut n.behaviour else { return };
        if n.health.down {
            // A crashed client sends nothing; closed-loop users wait and try later.
            self.user_thinks(node);
            return;
        }
        let key = client.keys.as_ref().map_or(0, |k| k.draw(&mut n.rng));
        let is_write = client.write_fraction > 0.0 && n.rng.random_bool(client.write_fraction.min(1.0));
        self.requests_made = self.requests_made.wrapping_add(1);
        let tag = client.tag_request(self.requests_made, &mut n.rng);
        if let Some(budget) = &mut client.budget {
            // A first attempt earns its share of the retries.
            budget.deposit(now);
        }
        n.metrics.counters.arrivals += 1;
        n.metrics.in_system.add(now, 1);
        let root = self.calls.alloc(node, now);
        if let Some(c) = self.calls.get_mut(root) {
            c.carry(RequestInfo { key, tag, is_write });
        }
        if self.calls.live() > MAX_CALLS_IN_FLIGHT {
            self.complete_request(root, Outcome::Failed { reason: FailureReason::Rejected, origin: node });
            return;
        }
        self.start_attempt(root);
    }

    fn start_attempt(&mut self, root: CallId) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(root) else { return };
        call.children_started = call.children_started.saturating_add(1);
        call.mark = now;
        call.state = CallState::Waiting;
        let node = call.node as usize;
        if self.clients_throttle && self.throttled(root, node) {
            return;
        }
        self.nodes[node].metrics.counters.attempts += 1;
        let Some(&edge) = self.nodes[node].out_edges.first() else {
            self.complete_request(root, Outcome::Failed { reason: FailureReason::NodeDown, origin: node as u32 });
            return;
        };
        let attempt = self.send(root, edge);
        if let Behaviour::Client(client) = &mut self.nodes[node].behaviour
            && let Some(timeout) = client.timeout_ns
        {
            let check = client.timeouts.push(now.after(timeout), attempt);
            let crowded = timeouts_crowded(&client.timeouts, &self.calls);
            let owner = TimeoutOwner::Client(node as u32);
            if let Some(check) = check {
                self.schedule(check, Event::TimeoutCheck(owner));
            }
            if crowded {
                self.prune_timeouts(owner);
            }
        }
    }

    /// Adaptive throttling decides whether the client refuses this attempt
    /// itself; if so it fails as "throttled", never sent and never retried.
    #[inline(never)]
    fn throttled(&mut self, root: CallId, node: usize) -> bool {
        let now = self.now;
        let n = &mut self.nodes[node];
        let Behaviour::Client(ClientBehaviour { throttle: Some(throttle), .. }) = &mut n.behaviour else {
            return false;
        };
        let p = throttle.request(now);
        if p > 0.0 && n.rng.random_bool(p.min(1.0)) {
            // Never sent, so not an attempt that failed; the request fails.
            self.complete_request(root, Outcome::Failed { reason: FailureReason::Throttled, origin: node as u32 });
            return true;
        }
        false
    }

    /// The backend accepted an attempt of a client that may throttle.
    #[inline(never)]
    fn count_accept(&mut self, root: CallId) {
        let now = self.now;
        if let Some(node) = self.calls.get(root).map(|c| c.node as usize)
            && let Behaviour::Client(ClientBehaviour { throttle: Some(throttle), .. }) = &mut self.nodes[node].behaviour
        {
            throttle.accepted(now);
        }
    }

    fn on_attempt_done(&mut self, root: CallId, outcome: Outcome) {
        if self.clients_throttle && !matches!(outcome, Outcome::Failed { .. }) {
            self.count_accept(root);
        }
        match outcome {
            Outcome::Failed { reason, origin } => self.attempt_failed(root, reason, origin),
            Outcome::Degraded => self.complete_request(root, Outcome::Degraded),
            _ => self.complete_request(root, Outcome::Ok),
        }
    }

    /// Retries if the policy allows, else gives up.
    fn attempt_failed(&mut self, root: CallId, reason: FailureReason, origin: u32) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(root) else { return };
        let attempts = u32::from(call.children_started);
        let node = call.node as usize;
        let n = &mut self.nodes[node];
        let Behaviour::Client(client) = &mut n.behaviour else { return };
        n.metrics.counters.attempt_failed[reason.index()] += 1;
        // A refusal by the client's own open breaker is not retried: it
        // would only be refused again.
        let own_breaker_open = reason == FailureReason::BreakerOpen && origin == node as u32;
        match &client.retry {
            Some(policy) if attempts < policy.max_attempts && !own_breaker_open => {
                if client.budget.as_mut().is_some_and(|b| !b.try_withdraw(now)) {
                    // The budget is spent: fail now with what went wrong.
                    n.metrics.counters.retries_denied += 1;
                    self.complete_request(root, Outcome::Failed { reason, origin });
                    return;
                }
                let wait = super::call_policy::backoff_ns(policy, attempts, &mut n.rng);
                call.state = CallState::Queued;
                n.metrics.counters.retries += 1;
                self.schedule(now.after(wait), Event::RetryDue(root));
            }
            Some(policy) if policy.max_attempts > 1 && !own_breaker_open => {
                let origin = node as u32;
                self.complete_request(root, Outcome::Failed { reason: FailureReason::RetriesExhausted, origin });
            }
            _ => self.complete_request(root, Outcome::Failed { reason, origin }),
        }
    }

    #[inline(never)]
    pub(super) fn on_retry_due(&mut self, root: CallId) {
        if self.calls.get(root).is_some_and(|c| c.state == CallState::Queued) {
            self.start_attempt(root);
        }
    }

    /// Times out every call of `owner` whose deadline has come and that is
    /// still unanswered, drops answered ones, and schedules the next check
    /// at the earliest remaining deadline.
    #[inline(never)]
    pub(super) fn on_timeout_check(&mut self, owner: TimeoutOwner) {
        let now = self.now;
        let Some(list) = self.timeout_list(owner) else { return };
        if list.next_check() != Some(now) {
            return; // replaced by an earlier check (a shorter timeout set live)
        }
        list.set_next_check(None);
        loop {
            let Some((deadline, call)) = self.timeout_list(owner).and_then(|l| l.front()) else { return };
            let awaited = self.is_awaited(call);
            let Some(list) = self.timeout_list(owner) else { return };
            if awaited && deadline > now {
                list.set_next_check(Some(deadline));
                self.schedule(deadline, Event::TimeoutCheck(owner));
                return;
            }
            list.pop_front();
            if awaited {
                match owner {
                    TimeoutOwner::Client(_) => self.time_out(call),
                    TimeoutOwner::Edge(edge) => self.time_out_on_edge(call, edge),
                }
            }
        }
    }

    /// The calls `owner` may still time out.
    fn timeout_list(&mut self, owner: TimeoutOwner) -> Option<&mut TimeoutList> {
        match owner {
            TimeoutOwner::Client(node) => match &mut self.nodes.get_mut(node as usize)?.behaviour {
                Behaviour::Client(client) => Some(&mut client.timeouts),
                _ => None,
            },
            TimeoutOwner::Edge(edge) => Some(&mut self.edges.get_mut(edge as usize)?.policy.as_mut()?.timeouts),
        }
    }

    /// Whether some caller still waits for `attempt`'s answer.
    fn is_awaited(&self, attempt: CallId) -> bool {
        awaited_in(&self.calls, attempt)
    }

    /// Drops the answered calls from `owner`'s timeout list. Answered
    /// calls are otherwise dropped only when they reach its front, so a
    /// long timeout would keep every call of the last `timeout` seconds:
    /// memory that follows the requests served, not those in flight.
    #[cold]
    #[inline(never)]
    fn prune_timeouts(&mut self, owner: TimeoutOwner) {
        let calls = &self.calls;
        let list = match owner {
            TimeoutOwner::Client(node) => match &mut self.nodes[node as usize].behaviour {
                Behaviour::Client(client) => &mut client.timeouts,
                _ => return,
            },
            TimeoutOwner::Edge(edge) => match self.edges[edge as usize].policy.as_mut() {
                Some(policy) => &mut policy.timeouts,
                None => return,
            },
        };
        list.retain(|call| awaited_in(calls, call));
    }

    /// The client stops waiting for `attempt`; it goes on downstream and its
    /// answer will be ignored.
    fn time_out(&mut self, attempt: CallId) {
        let waiting_for_place = self.is_waiting_for_place(attempt);
        let Some(child) = self.calls.get_mut(attempt) else { return };
        let root = CallId { index: child.parent, generation: child.parent_generation };
        let edge = child.via_edge;
        child.detach();
        if waiting_for_place {
            self.give_up_waiting_for_place(attempt, edge);
        } else {
            self.count_timeout(edge);
        }
        let Some(parent) = self.calls.get_mut(root) else { return };
        parent.waiting_on = NO_CALL;
        let origin = parent.node;
        self.attempt_failed(root, FailureReason::Timeout, origin);
    }

    /// A caller stops waiting for `child`, sent over `edge` with a timeout;
    /// it goes on downstream and its answer will be ignored. The caller
    /// treats it as a failure of its own ("timeout").
    #[inline(never)]
    fn time_out_on_edge(&mut self, child: CallId, edge: u32) {
        let Some(c) = self.calls.get(child) else { return };
        let parent = CallId { index: c.parent, generation: c.parent_generation };
        let waiting_for_place = c.state == CallState::WaitingForPlace;
        if waiting_for_place {
            self.give_up_waiting_for_place(child, edge);
        } else {
            self.count_timeout(edge);
        }
        let Some(p) = self.calls.get_mut(parent) else { return };
        let (fanned_out, hedged) =
            (p.state == CallState::FanOut, matches!(p.state, CallState::Hedged | CallState::HedgedHalf));
        if !fanned_out && !hedged {
            p.waiting_on = NO_CALL;
        }
        let origin = p.node;
        if let Some(c) = self.calls.get_mut(child) {
            // Its answer, when it comes, is late: it no longer names its
            // caller, so neither a fan-out, nor a hedge, nor a retry of the
            // same caller takes it for one of its own.
            c.detach();
        }
        let timed_out = Outcome::Failed { reason: FailureReason::Timeout, origin };
        if !waiting_for_place {
            self.outliers_hear_over_edge(edge, timed_out);
        }
        if hedged {
            // Counted by the breaker with the timeout already; not again.
            self.hedged_tally(parent, child, edge, timed_out);
        } else {
            self.on_edge_failure(parent, edge, timed_out);
        }
    }

    fn count_timeout(&mut self, edge: u32) {
        if let Some(e) = self.edges.get_mut(edge as usize) {
            e.counters.timeouts += 1;
            e.counters.failed += 1;
            if e.policy.is_some() {
                self.breaker_records(edge, true);
            }
        }
    }

    /// The logical request is over: count it at the client and end to end.
    pub(super) fn complete_request(&mut self, root: CallId, outcome: Outcome) {
        let now = self.now;
        if self.tracer.is_some() {
            self.trace_request_done(root, outcome);
        }
        let Some(call) = self.calls.get(root) else { return };
        let node = call.node;
        let latency = now.since(call.arrived);
        let m = &mut self.nodes[node as usize].metrics;
        m.in_system.add(now, -1);
        match outcome {
            Outcome::Failed { reason, .. } => m.record_failed(Some(reason), latency),
            Outcome::Degraded => m.record_degraded(latency),
            _ => m.record_ok(latency),
        }
        self.calls.free(root);
        self.user_thinks(node);
    }

    /// A closed-loop user thinks before the next request.
    fn user_thinks(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        if let Behaviour::Client(client) = &n.behaviour
            && let Some(think) = &client.think_time
        {
            // At least a microsecond: users that never think, calling nodes
            // that take no time, would otherwise freeze the clock.
            let at = now.after(think.sample(&mut n.rng).max(MIN_THINK_NS));
            self.schedule(at, Event::UserReady { node });
        }
    }

    // ----- edges ---------------------------------------------------------

    /// Sends a call from `parent` over `edge`; returns the new call.
    fn send(&mut self, parent: CallId, edge: u32) -> CallId {
        let now = self.now;
        let request = self.calls.get(parent).map_or_else(RequestInfo::default, Call::request);
        let e = &mut self.edges[edge as usize];
        e.counters.sent += 1;
        let (from, to) = (e.from, e.to);
        // An open breaker, then a full bulkhead, refuse at once, before the
        // call leaves: no delay, nothing sent, and the caller counts it as
        // its own failure.
        if e.guarded
            && let Some(reason) = e.refusal(now)
        {
            if reason == FailureReason::BulkheadFull && e.line.is_some() {
                return self.wait_for_bulkhead(parent, edge);
            }
            return self.refuse_at_edge(parent, edge, reason);
        }
        let has_policy = e.policy.is_some();
        let crossing = e.cross(now);
        // Lost on the way: the caller learns after the one-way delay.
        let failed = crossing.lost.then_some((FailureReason::Dropped, from));
        let child = self.child_call(parent, (edge, to), request, failed);
        let event = if crossing.lost { Event::Reply(child) } else { Event::Arrive(child) };
        self.schedule(now.after(crossing.delay_ns), event);
        if has_policy {
            self.start_call_under_policy(parent, child, edge);
        }
        child
    }

    /// A call over an edge with a policy starts: its timeout starts
    /// counting, and a first try (not a retry) earns its share of the
    /// retry budget.
    #[inline(never)]
    fn start_call_under_policy(&mut self, parent: CallId, child: CallId, edge: u32) {
        let now = self.now;
        self.log_breaker_change(edge);
        let (first, primary) =
            self.calls.get(parent).map_or((false, false), |p| (p.edge_retries == 0, p.state == CallState::Waiting));
        let Some(policy) = self.edges[edge as usize].policy.as_mut() else { return };
        if first
            && primary
            && let Some(budget) = &mut policy.budget
        {
            // A first try earns retries; a hedge's copy is no first try.
            budget.deposit(now);
        }
        let hedge_after = policy.hedge_after_ns.filter(|_| primary);
        if let Some(timeout) = policy.timeout_ns {
            let check = policy.timeouts.push(now.after(timeout), child);
            let crowded = timeouts_crowded(&policy.timeouts, &self.calls);
            if let Some(check) = check {
                self.schedule(check, Event::TimeoutCheck(TimeoutOwner::Edge(edge)));
            }
            if crowded {
                self.prune_timeouts(TimeoutOwner::Edge(edge));
            }
        }
        if let Some(delay) = hedge_after {
            self.schedule(now.after(delay), Event::Hedge(child));
        }
    }

    /// A call finds the edge's bulkhead full and waits in its line: a
    /// child its caller waits on (its timeout and hedge count from now),
    /// not yet sent, and not in flight.
    #[cold]
    #[inline(never)]
    fn wait_for_bulkhead(&mut self, parent: CallId, edge: u32) -> CallId {
        let now = self.now;
        let request = self.calls.get(parent).map_or_else(RequestInfo::default, Call::request);
        let e = &mut self.edges[edge as usize];
        e.counters.bulkhead_waited += 1;
        let (to, has_policy) = (e.to, e.policy.is_some());
        let child = self.child_call(parent, (edge, to), request, None);
        if let Some(c) = self.calls.get_mut(child) {
            c.state = CallState::WaitingForPlace;
        }
        let calls = &self.calls;
        let Some(line) = self.edges[edge as usize].line.as_mut() else { return child };
        let check = line.join(now, child);
        // Calls whose callers gave up leave the line only at its front:
        // when it holds many more than are in flight at all, they go now.
        if line.len() > 64 && line.len() > 2 * calls.live() {
            line.retain(|call| awaited_in(calls, call));
        }
        if let Some(check) = check {
            self.schedule(check, Event::BulkheadCheck(edge));
        }
        if has_policy {
            self.start_call_under_policy(parent, child, edge);
        }
        child
    }

    /// Places freed in `edge`'s bulkhead go to the calls waiting in its
    /// line, first come first served; calls whose caller stopped waiting
    /// meanwhile (a timeout, a crash, a hedge or fan-out settled) leave the
    /// line unsent.
    #[cold]
    #[inline(never)]
    pub(super) fn let_waiting_calls_in(&mut self, edge: u32) {
        let now = self.now;
        loop {
            let e = &mut self.edges[edge as usize];
            if !e.has_room() {
                return;
            }
            let Some((_, child)) = e.line.as_ref().and_then(|line| line.front()) else { return };
            if let Some(line) = e.line.as_mut() {
                line.pop_front();
            }
            if !self.is_awaited(child) {
                self.calls.free(child);
                continue;
            }
            // The breaker decides as the call leaves: a probe goes to a call
            // that is sent.
            let e = &mut self.edges[edge as usize];
            let from = e.from;
            let admitted = e.policy.as_mut().and_then(|p| p.breaker.as_mut()).is_none_or(|b| b.admits(now));
            if !admitted {
                e.counters.breaker_open += 1;
                self.log_breaker_change(edge);
                self.answer_from_line(child, FailureReason::BreakerOpen, from);
                continue;
            }
            self.log_breaker_change(edge);
            // From a global balancer, the round trip it adds (see `send_from_global`).
            let round_trip_ns = self.global_round_trip_ns(child, edge);
            let e = &mut self.edges[edge as usize];
            let mut crossing = e.cross(now);
            crossing.delay_ns = crossing.delay_ns.saturating_add(round_trip_ns);
            let event = if crossing.lost { Event::Reply(child) } else { Event::Arrive(child) };
            if let Some(c) = self.calls.get_mut(child) {
                c.state = CallState::InTransit;
                if crossing.lost {
                    c.state = CallState::Finished;
                    c.outcome = Outcome::Failed { reason: FailureReason::Dropped, origin: from };
                }
            }
            self.schedule(now.after(crossing.delay_ns), event);
        }
    }

    /// The first calls in `edge`'s bulkhead line have waited as long as
    /// they may: each fails "bulkhead full", answered at once by its own
    /// edge as a refusal is (never in flight, not a failure of the callee).
    #[inline(never)]
    pub(super) fn on_bulkhead_check(&mut self, edge: u32) {
        let now = self.now;
        let Some(line) = self.edges.get_mut(edge as usize).and_then(|e| e.line.as_mut()) else { return };
        if line.next_check() != Some(now) {
            return; // replaced by an earlier check
        }
        line.set_next_check(None);
        loop {
            let Some((deadline, child)) = self.edges[edge as usize].line.as_ref().and_then(|line| line.front()) else {
                return;
            };
            let awaited = self.is_awaited(child);
            let e = &mut self.edges[edge as usize];
            let Some(line) = e.line.as_mut() else { return };
            if awaited && deadline > now {
                line.set_next_check(Some(deadline));
                self.schedule(deadline, Event::BulkheadCheck(edge));
                return;
            }
            line.pop_front();
            if awaited {
                self.turn_away_from_bulkhead(edge, child);
            } else {
                self.calls.free(child);
            }
        }
    }

    /// A call that waited in `edge`'s bulkhead line fails "bulkhead full"
    /// at once, as a call refused without waiting does.
    fn turn_away_from_bulkhead(&mut self, edge: u32, child: CallId) {
        let e = &mut self.edges[edge as usize];
        e.counters.bulkhead_full += 1;
        let from = e.from;
        self.answer_from_line(child, FailureReason::BulkheadFull, from);
    }

    /// A call in a bulkhead's line fails without being sent (`reason`,
    /// at its own edge's caller `from`), answered at once as a refusal is.
    fn answer_from_line(&mut self, child: CallId, reason: FailureReason, from: u32) {
        if let Some(c) = self.calls.get_mut(child) {
            c.state = CallState::Finished;
            c.outcome = Outcome::Failed { reason, origin: from };
        }
        self.schedule(self.now, Event::Reply(child));
    }

    /// Whether `call` is waiting in a bulkhead's line, not sent yet.
    fn is_waiting_for_place(&self, call: CallId) -> bool {
        self.calls.get(call).is_some_and(|c| c.state == CallState::WaitingForPlace)
    }

    /// The caller of `child`, a call waiting in `edge`'s bulkhead line,
    /// gave up (its timeout): the call is never sent. It counts as a
    /// timeout of the edge, but neither its breaker nor a balancer's
    /// outlier ejection hears of it: the callee never saw it. Its slot
    /// is freed now; its place in line, a stale name, is skipped.
    fn give_up_waiting_for_place(&mut self, child: CallId, edge: u32) {
        if let Some(e) = self.edges.get_mut(edge as usize) {
            e.counters.timeouts += 1;
            e.counters.failed += 1;
            e.counters.bulkhead_gave_up += 1;
        }
        self.calls.free(child);
    }

    /// The edge's bulkhead line after a live change: as many waiting calls
    /// as now fit go (all of them when the bulkhead is gone); when calls no
    /// longer wait (`keeps_waiting` false), the rest are turned away and
    /// the line goes.
    #[cold]
    pub(super) fn settle_bulkhead_line(&mut self, edge: u32, keeps_waiting: bool) {
        let line = &self.edges[edge as usize].line;
        if line.as_ref().is_none_or(|line| line.is_empty()) {
            if !keeps_waiting {
                self.edges[edge as usize].line = None;
            }
            return;
        }
        self.let_waiting_calls_in(edge);
        if keeps_waiting {
            return;
        }
        while let Some((_, child)) = self.edges[edge as usize].line.as_ref().and_then(|line| line.front()) {
            if let Some(line) = self.edges[edge as usize].line.as_mut() {
                line.pop_front();
            }
            if self.is_awaited(child) {
                self.turn_away_from_bulkhead(edge, child);
            } else {
                self.calls.free(child);
            }
        }
        self.edges[edge as usize].line = None;
    }

    /// A call the edge's breaker or bulkhead refused (`reason`): a child
    /// that failed before it left, answered at once, and never counted as
    /// in flight.
    #[cold]
    #[inline(never)]
    fn refuse_at_edge(&mut self, parent: CallId, edge: u32, reason: FailureReason) -> CallId {
        let now = self.now;
        let request = self.calls.get(parent).map_or_else(RequestInfo::default, Call::request);
        self.log_breaker_change(edge);
        let e = &mut self.edges[edge as usize];
        match reason {
            FailureReason::BreakerOpen => e.counters.breaker_open += 1,
            _ => e.counters.bulkhead_full += 1,
        }
        let (from, to) = (e.from, e.to);
        let child = self.child_call(parent, (edge, to), request, Some((reason, from)));
        self.schedule(now, Event::Reply(child));
        child
    }

    /// Logs the breaker of `edge` turning half-open, if it just did (it
    /// turns when a call finds its open time over).
    fn log_breaker_change(&mut self, edge: u32) {
        let unlogged = self.edges[edge as usize].policy.as_mut().and_then(|p| p.breaker.as_mut()?.take_unlogged());
        if let Some(transition) = unlogged {
            self.log_breaker(edge, transition);
        }
    }

    /// How a call over `edge` ended, for its breaker (if any) — unless the
    /// edge itself refused it.
    fn breaker_counts(&mut self, edge: u32, outcome: Outcome) {
        let from = self.edges[edge as usize].from;
        match outcome {
            Outcome::Failed { reason: FailureReason::BreakerOpen | FailureReason::BulkheadFull, origin }
                if origin == from => {}
            Outcome::Failed { .. } => self.breaker_records(edge, true),
            _ => self.breaker_records(edge, false),
        }
    }

    /// A call over `edge` ended for its caller: its breaker (if any) counts
    /// it, and a change of state goes to the log.
    fn breaker_records(&mut self, edge: u32, failed: bool) {
        let now = self.now;
        let Some(e) = self.edges.get_mut(edge as usize) else { return };
        let Some(breaker) = e.policy.as_mut().and_then(|p| p.breaker.as_mut()) else { return };
        if let Some(transition) = breaker.record(now, failed) {
            if matches!(transition, Transition::Opened { .. } | Transition::Reopened { .. }) {
                e.counters.breaker_trips += 1;
            }
            self.log_breaker(edge, transition);
        }
    }

    #[cold]
    fn log_breaker(&mut self, edge: u32, transition: Transition) {
        let e = &self.edges[edge as usize];
        let (from, to) = (e.from, e.to);
        let open_s = e.policy.as_ref().and_then(|p| p.breaker.as_ref()).map_or(0.0, |b| b.spec().open_s);
        let link = format!("{} → {}", self.nodes[from as usize].id, self.nodes[to as usize].id);
        let (kind, what) = match transition {
            Transition::Opened { failed, calls } => (
                SimEventKind::BreakerOpened,
                format!(
                    "{link}: breaker opened ({failed} of the last {calls} calls failed); calls fail fast for {open_s} s"
                ),
            ),
            Transition::Reopened { failed, probes } => (
                SimEventKind::BreakerOpened,
                format!("{link}: breaker opened again ({failed} of {probes} probes failed)"),
            ),
            Transition::HalfOpened => (SimEventKind::BreakerHalfOpen, format!("{link}: breaker half-open, probing")),
            Transition::Closed => (SimEventKind::BreakerClosed, format!("{link}: breaker closed (probes succeeded)")),
        };
        self.log_event(Some(from), kind, what);
    }

    /// The call `parent` makes over `edge` to node `to`, carrying the
    /// request's key and kind; `failed` when it fails before it arrives
    /// (lost on the way, refused by the bulkhead), at the node given.
    /// The parent now waits on it.
    #[inline]
    fn child_call(
        &mut self,
        parent: CallId,
        (edge, to): (u32, u32),
        request: RequestInfo,
        failed: Option<(FailureReason, u32)>,
    ) -> CallId {
        let child = self.calls.alloc(to, self.now);
        if self.tracer.is_some() {
            self.trace_opened(request.tag.id(), child);
        }
        if let Some(c) = self.calls.get_mut(child) {
            c.parent = parent.index;
            c.parent_generation = parent.generation;
            c.via_edge = edge;
            c.carry(request);
            if let Some((reason, origin)) = failed {
                c.state = CallState::Finished;
                c.outcome = Outcome::Failed { reason, origin };
            }
        }
        if let Some(p) = self.calls.get_mut(parent) {
            p.waiting_on = child;
        }
        child
    }

    /// An answer reaches its caller.
    pub(super) fn on_reply(&mut self, child: CallId) {
        let Some(c) = self.calls.get(child) else { return };
        let parent = CallId { index: c.parent, generation: c.parent_generation };
        let (outcome, edge, detached) = (c.outcome, c.via_edge, c.is_detached());
        self.calls.free(child);
        let awaited = self.calls.get(parent).is_some_and(|p| awaits(p, child));
        let failed = matches!(outcome, Outcome::Failed { .. });
        let mut policy = false;
        if let Some(e) = self.edges.get_mut(edge as usize) {
            // A call its own edge refused never took a place in the bulkhead.
            let refused_here = matches!(
                outcome,
                Outcome::Failed { reason: FailureReason::BulkheadFull | FailureReason::BreakerOpen, origin }
                    if origin == e.from
            );
            if !refused_here {
                e.in_flight = e.in_flight.saturating_sub(1);
            }
            // Only a guarded edge (one with a bulkhead) has a line. The
            // freed place goes to the first call in line before the caller,
            // answered, can call again.
            let e = if !refused_here && e.guarded && e.line.is_some() {
                self.let_waiting_calls_in(edge);
                &mut self.edges[edge as usize]
            } else {
                e
            };
            policy = e.policy.is_some();
            if !awaited {
                // The caller gave up (timeout, counted then) or crashed, or
                // another answer settled it (a hedge, a fan-out) meanwhile.
                e.counters.late_answers += 1;
                if policy && !detached {
                    // The call did end: its breaker hears how, or a
                    // half-open breaker would wait for this probe for ever.
                    self.breaker_counts(edge, outcome);
                }
                return;
            }
            if failed {
                e.counters.failed += 1;
            }
        }
        let Some(p) = self.calls.get_mut(parent) else { return };
        match p.state {
            CallState::Waiting => p.waiting_on = NO_CALL,
            CallState::Hedged | CallState::HedgedHalf => return self.hedged_answer(parent, child, edge, outcome),
            _ => {}
        }
        if policy {
            self.on_answer_under_policy(parent, edge, outcome);
        } else {
            self.on_child_answer(parent, outcome);
        }
    }

    /// The answer to a call over an edge with a policy: its breaker counts
    /// it (unless the edge itself refused it), a balancer's outlier
    /// ejection hears it, and a failure may be retried.
    #[inline(never)]
    fn on_answer_under_policy(&mut self, parent: CallId, edge: u32, outcome: Outcome) {
        self.breaker_counts(edge, outcome);
        self.outliers_hear_over_edge(edge, outcome);
        if matches!(outcome, Outcome::Failed { .. }) {
            self.on_edge_failure(parent, edge, outcome);
        } else {
            self.on_child_answer(parent, outcome);
        }
    }

    /// A call over `edge`, an edge with a policy, failed for its caller
    /// (answered with a failure, lost, or timed out): the edge's retry
    /// policy may try again, else the caller goes on with the failure.
    #[inline(never)]
    fn on_edge_failure(&mut self, parent: CallId, edge: u32, outcome: Outcome) {
        let e = &self.edges[edge as usize];
        let own_breaker_open =
            matches!(outcome, Outcome::Failed { reason: FailureReason::BreakerOpen, origin } if origin == e.from);
        let outcome = match outcome {
            // A refusal by its own open breaker is not retried: the breaker
            // says the dependency is failing.
            Outcome::Failed { reason, origin }
                if !own_breaker_open && e.policy.as_ref().is_some_and(|p| p.retry.is_some()) =>
            {
                // `None`: it is sent again after the backoff.
                let Some(outcome) = self.retry_over_edge(parent, edge, (reason, origin)) else { return };
                outcome
            }
            _ => outcome,
        };
        let has_fallback = self.edges[edge as usize].policy.as_ref().is_some_and(|p| p.fallback.is_some());
        if has_fallback && matches!(outcome, Outcome::Failed { .. }) {
            self.fall_back(parent, edge, outcome);
        } else {
            self.on_child_answer(parent, outcome);
        }
    }

    /// A call over `edge` failed for good and the edge has a fallback: the
    /// caller answers itself, degraded, at once or after the fallback's
    /// latency; a cache serving stale answers from its expired copy, or
    /// fails as before when it has none.
    fn fall_back(&mut self, parent: CallId, edge: u32, failure: Outcome) {
        let now = self.now;
        let Some(p) = self.calls.get(parent) else { return };
        let (node, key) = (p.node as usize, u64::from(p.key));
        let e = &mut self.edges[edge as usize];
        let Some(fallback) = e.policy.as_ref().and_then(|p| p.fallback.as_ref()) else { return };
        let delay = match fallback {
            Fallback::Respond(latency) => latency.as_ref().map_or(0, |d| d.sample(&mut e.rng)),
            Fallback::ServeStale => {
                let stale =
                    matches!(&self.nodes[node].behaviour, Behaviour::Cache { store, .. } if store.has_copy(key));
                if !stale {
                    self.on_child_answer(parent, failure);
                    return;
                }
                0
            }
        };
        self.edges[edge as usize].counters.fallbacks += 1;
        // A fan-out's fallback answers at once: its caller waits on many
        // calls and has no state for one that is being made up.
        let fanned_out = self.calls.get(parent).is_some_and(|p| p.state == CallState::FanOut);
        if delay == 0 || fanned_out {
            self.on_child_answer(parent, Outcome::Degraded);
            return;
        }
        if let Some(p) = self.calls.get_mut(parent) {
            p.state = CallState::Fallback;
        }
        self.schedule(now.after(delay), Event::FallbackDone(parent));
    }

    /// A fallback's answer is ready.
    #[inline(never)]
    pub(super) fn on_fallback_done(&mut self, parent: CallId) {
        let Some(p) = self.calls.get_mut(parent) else { return };
        if p.state != CallState::Fallback {
            return; // the caller crashed meanwhile
        }
        p.state = CallState::Waiting;
        self.on_child_answer(parent, Outcome::Degraded);
    }

    /// The edge's retry policy decides about a failed call: schedules the
    /// next try (`None`), or says how the call ends for its caller: the
    /// failure as it came when the budget allows no retry, "retries
    /// exhausted" when every attempt was made.
    #[inline(never)]
    fn retry_over_edge(
        &mut self,
        parent: CallId,
        edge: u32,
        (reason, origin): (FailureReason, u32),
    ) -> Option<Outcome> {
        let now = self.now;
        let p = self.calls.get_mut(parent)?;
        if p.state == CallState::FanOut {
            // Retries of a fan-out's calls are refused on load; never here.
            return Some(Outcome::Failed { reason, origin });
        }
        let node = p.node as usize;
        let attempts = u32::from(p.edge_retries) + 1;
        let lb_target = usize::from(p.lb_target);
        let e = &mut self.edges[edge as usize];
        let policy = e.policy.as_mut()?;
        let retry = policy.retry.as_ref()?;
        if attempts >= retry.max_attempts {
            if retry.max_attempts > 1 {
                // The caller's own failure, as a client's is.
                return Some(Outcome::Failed { reason: FailureReason::RetriesExhausted, origin: node as u32 });
            }
            return Some(Outcome::Failed { reason, origin });
        }
        if policy.budget.as_mut().is_some_and(|b| !b.try_withdraw(now)) {
            e.counters.retries_denied += 1;
            return Some(Outcome::Failed { reason, origin });
        }
        let wait = super::call_policy::backoff_ns(retry, attempts, &mut e.rng);
        e.counters.retries += 1;
        p.edge_retries = p.edge_retries.saturating_add(1);
        p.state = CallState::Backoff;
        if let Behaviour::LoadBalancer { balancer, .. } = &mut self.nodes[node].behaviour {
            // This try is over for least-connections too.
            balancer.answered(lb_target);
        }
        self.schedule(now.after(wait), Event::Resend(parent));
        None
    }

    /// A caller's backoff is over: it calls again over the same edge (a
    /// load balancer picks a target again, as a proxy's retry does).
    #[inline(never)]
    pub(super) fn on_resend(&mut self, parent: CallId) {
        let Some(p) = self.calls.get_mut(parent) else { return };
        if p.state != CallState::Backoff {
            return; // the caller crashed meanwhile
        }
        p.state = CallState::Waiting;
        let (node, key, position, failed_target) =
            (p.node as usize, u64::from(p.key), usize::from(p.children_started), usize::from(p.lb_target));
        if matches!(self.nodes[node].behaviour, Behaviour::LoadBalancer { .. }) {
            self.reroute(parent, node, key, failed_target);
        } else if let Some(&edge) = self.nodes[node].out_edges.get(position) {
            self.send(parent, edge);
        }
    }

    /// A caller got the answer it was waiting for.
    #[expect(
        clippy::inline_always,
        reason = "called from the hot `on_reply` and from the rare paths of timeouts and retries; left to the \
                  compiler it stays a call and M/M/1 costs 1 % more instructions (callgrind)"
    )]
    #[inline(always)]
    fn on_child_answer(&mut self, parent: CallId, outcome: Outcome) {
        let Some(p) = self.calls.get(parent) else { return };
        let node = p.node as usize;
        let (key, is_write, lb_target, holds_worker, started) =
            (u64::from(p.key), p.is_write, p.lb_target, p.holds_worker, p.children_started);
        let failed = matches!(outcome, Outcome::Failed { .. });
        let now = self.now;
        match &mut self.nodes[node].behaviour {
            Behaviour::Client(_) => self.on_attempt_done(parent, outcome),
            Behaviour::LoadBalancer { balancer, health, .. } => {
                balancer.answered(usize::from(lb_target));
                if health.is_some() {
                    self.lb_heard(node, usize::from(lb_target), outcome);
                }
                self.finish(parent, outcome);
            }
            Behaviour::Service { .. } if p.state == CallState::FanOut => self.fan_out_answer(parent, outcome),
            Behaviour::Service { .. } => {
                // One degraded answer makes the whole request degraded: the
                // call's own outcome holds the mark until it is answered.
                let degraded = outcome == Outcome::Degraded || p.outcome == Outcome::Degraded;
                let next = usize::from(started) + 1;
                if !failed && next < self.nodes[node].out_edges.len() {
                    let edge = self.nodes[node].out_edges[next];
                    if let Some(p) = self.calls.get_mut(parent) {
                        p.children_started = next as u16;
                        p.edge_retries = 0;
                        if degraded {
                            p.outcome = Outcome::Degraded;
                        }
                    }
                    self.send(parent, edge);
                } else {
                    if holds_worker {
                        self.release_worker(parent);
                    }
                    let outcome = if degraded && !failed { Outcome::Degraded } else { outcome };
                    self.finish(parent, outcome);
                }
            }
            Behaviour::Cache { store, .. } => {
                // A fallback's answer is not the real value: not cached.
                if outcome == Outcome::Ok && !is_write && key != 0 {
                    store.fill(key, now);
                }
                self.finish(parent, outcome);
            }
            Behaviour::Queue { .. } => {
                // A consumer delivered a message.
                let arrived = p.arrived;
                self.release_worker(parent);
                let m = &mut self.nodes[node].metrics;
                m.in_system.add(now, -1);
                match outcome {
                    Outcome::Failed { .. } => m.record_failed(None, now.since(arrived)),
                    Outcome::Degraded => m.record_degraded(now.since(arrived)),
                    _ => m.record_ok(now.since(arrived)),
                }
                self.calls.free(parent);
            }
            Behaviour::Database(_) => {}
        }
    }

    // ----- hedging -------------------------------------------------------

    /// A call over an edge with hedging has waited its delay: if its caller
    /// still waits for it, a second copy goes out (a load balancer sends it
    /// to another target) and the first success of the two wins.
    #[inline(never)]
    pub(super) fn on_hedge_due(&mut self, child: CallId) {
        let Some(c) = self.calls.get(child) else { return };
        let (parent, edge) = (CallId { index: c.parent, generation: c.parent_generation }, c.via_edge);
        let Some(p) = self.calls.get_mut(parent) else { return };
        if p.state != CallState::Waiting || p.waiting_on != child {
            return; // answered, timed out or crashed meanwhile
        }
        p.state = CallState::Hedged;
        let (node, key, target) = (p.node as usize, u64::from(p.key), usize::from(p.lb_target));
        self.edges[edge as usize].counters.hedges += 1;
        if let Behaviour::LoadBalancer { balancer, .. } = &mut self.nodes[node].behaviour {
            // The first copy is over as far as least-connections goes.
            balancer.answered(target);
            self.reroute(parent, node, key, target);
        } else {
            self.send(parent, edge);
        }
        // `send` left the copy in `waiting_on`: that is how a win by the
        // copy is told from one by the first call.
    }

    /// One copy of a hedged call answered.
    #[inline(never)]
    fn hedged_answer(&mut self, parent: CallId, child: CallId, edge: u32, outcome: Outcome) {
        if self.edges[edge as usize].policy.is_some() {
            self.breaker_counts(edge, outcome);
            self.outliers_hear_over_edge(edge, outcome);
        }
        self.hedged_tally(parent, child, edge, outcome);
    }

    /// Counts one copy's answer: a success wins at once (the other copy's
    /// answer will be late); a failure waits for the other copy, and when
    /// both failed the call fails as any call over the edge does (its
    /// retries and fallback apply).
    fn hedged_tally(&mut self, parent: CallId, child: CallId, edge: u32, outcome: Outcome) {
        let Some(p) = self.calls.get_mut(parent) else { return };
        let failed = matches!(outcome, Outcome::Failed { .. });
        if failed && p.state == CallState::Hedged {
            p.state = CallState::HedgedHalf;
            return;
        }
        if !failed && p.waiting_on == child {
            self.edges[edge as usize].counters.hedges_won += 1;
        }
        p.state = CallState::Waiting;
        p.waiting_on = NO_CALL;
        if let Outcome::Failed { .. } = outcome {
            if self.edges[edge as usize].policy.is_some() {
                self.on_edge_failure(parent, edge, outcome);
            } else {
                self.on_child_answer(parent, outcome);
            }
            return;
        }
        // A load balancer's `lb_target` names the copy's target: the first
        // copy's was settled when the copy went out, so each is counted once.
        self.on_child_answer(parent, outcome);
    }

    // ----- parallel fan-out ---------------------------------------------

    /// A service sends all its calls at once; it answers when enough of
    /// them have (see `WaitFor`).
    #[inline(never)]
    fn fan_out(&mut self, id: CallId, node: usize) {
        if let Some(c) = self.calls.get_mut(id) {
            c.state = CallState::FanOut;
        }
        for k in 0..self.nodes[node].out_edges.len() {
            let edge = self.nodes[node].out_edges[k];
            self.send(id, edge);
        }
        // `send` named each child as the one awaited; the tally starts now.
        if let Some(c) = self.calls.get_mut(id) {
            c.set_fan_out_tally(FanOutTally::default());
        }
    }

    /// One answer of a fan-out: counted, and the request answered once
    /// enough succeeded (ok, or degraded if one was) or too many failed
    /// for enough to succeed. Answers after that are late.
    #[inline(never)]
    fn fan_out_answer(&mut self, parent: CallId, outcome: Outcome) {
        let Some(p) = self.calls.get_mut(parent) else { return };
        let node = p.node as usize;
        let mut tally = p.fan_out_tally();
        match outcome {
            Outcome::Failed { .. } => tally.failed = tally.failed.saturating_add(1),
            Outcome::Degraded => {
                tally.succeeded = tally.succeeded.saturating_add(1);
                tally.degraded = true;
            }
            _ => tally.succeeded = tally.succeeded.saturating_add(1),
        }
        p.set_fan_out_tally(tally);
        let holds_worker = p.holds_worker;
        let calls = self.nodes[node].out_edges.len();
        // A service switched to sequential calls while this request was out
        // waits for all of its calls (what it started with is not kept).
        let wait_for = match &self.nodes[node].behaviour {
            Behaviour::Service { fan_out, .. } => fan_out.unwrap_or(WaitFor::All),
            _ => return,
        };
        let needed = wait_for.needed(calls);
        let answer = if usize::from(tally.succeeded) >= needed {
            if tally.degraded { Outcome::Degraded } else { Outcome::Ok }
        } else if usize::from(tally.failed) > calls - needed {
            outcome
        } else {
            return;
        };
        if holds_worker {
            self.release_worker(parent);
        }
        self.finish(parent, answer);
    }

    // ----- nodes ---------------------------------------------------------

    /// Whether node `node`'s rate limiter refuses call `id` now, taking a
    /// token from the bucket it falls in (the node's, its class's, or its
    /// client's) when it lets it through.
    #[inline(never)]
    fn refused_by_rate_limit(&mut self, id: CallId, node: usize) -> bool {
        let now = self.now;
        let Some(per) = self.nodes[node].limiter.as_ref().map(super::RateLimiter::per) else { return false };
        let key = match per {
            LimitPer::Node => 0,
            LimitPer::Class => self.calls.get(id).map_or(0, |c| c.tag.class_index()),
            LimitPer::Client => self.request_source(id),
        };
        self.nodes[node].limiter.as_mut().is_some_and(|limiter| !limiter.admit(now, key))
    }

    /// The node the request `id` belongs to started at: its client (or the
    /// queue whose message it delivers), found up its chain of callers (a
    /// call whose caller gave up still names it, see `Call::caller`). When
    /// a caller on the way is gone, the chain's last caller it can name.
    fn request_source(&self, id: CallId) -> u32 {
        let mut at = id;
        let mut node = NONE;
        while let Some(call) = self.calls.get(at) {
            node = call.node;
            match call.caller() {
                Some(caller) if self.calls.get(caller).is_some() => at = caller,
                // The client's request is over (it gave up): the call that
                // came over this edge is the nearest the chain reaches.
                Some(_) => return self.edges.get(call.via_edge as usize).map_or(node, |e| e.from),
                None => break,
            }
        }
        node
    }

    /// A call reaches its node.
    pub(super) fn on_arrive(&mut self, id: CallId) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(id) else { return };
        let node = call.node as usize;
        let n = &mut self.nodes[node];
        call.epoch = n.health.epoch;
        call.arrived = now;
        n.metrics.counters.arrivals += 1;
        n.metrics.in_system.add(now, 1);
        if n.health.down {
            self.fail_here(id, FailureReason::NodeDown);
            return;
        }
        let (call, n) = if n.limiter.is_some() {
            if self.refused_by_rate_limit(id, node) {
                self.fail_here(id, FailureReason::RateLimited);
                return;
            }
            let Some(call) = self.calls.get_mut(id) else { return };
            (call, &mut self.nodes[node])
        } else {
            (call, n)
        };
        let request = call.request();
        let class = request.tag.class();
        let admission = match &mut n.behaviour {
            Behaviour::Client(_) => {
                self.fail_here(id, FailureReason::NodeDown);
                return;
            }
            Behaviour::LoadBalancer { .. } => {
                call.state = CallState::Waiting;
                self.route(id, node, request.key.into());
                return;
            }
            // Deadline propagation: a request already abandoned is not admitted.
            Behaviour::Service { .. } if n.drop_expired => {
                self.arrive_checking_deadline(id, node, class);
                return;
            }
            Behaviour::Service { station, fleet: None, .. } => station.admit(id, class),
            Behaviour::Service { .. } => {
                self.arrive_at_fleet(id, node, class);
                return;
            }
            Behaviour::Database(db) => {
                let server = pick_server(db, request.is_write, request.key);
                call.server = u8::try_from(server).unwrap_or(u8::MAX);
                db.servers[server].admit(id, class)
            }
            Behaviour::Cache { .. } => {
                self.start_work(id, false);
                return;
            }
            Behaviour::Queue { station } => {
                let full = station.capacity.is_some_and(|cap| station.queue_len() >= cap);
                if full {
                    self.fail_here(id, FailureReason::Rejected);
                    return;
                }
                // Hold the message as its own call; acknowledge the producer now.
                let message = self.calls.alloc(node as u32, now);
                if let Some(m) = self.calls.get_mut(message) {
                    m.carry(request);
                    m.state = CallState::Queued;
                    m.epoch = n.health.epoch;
                }
                station.push(message, class);
                n.metrics.queue.add(now, 1);
                // The ack: answered, but not counted as a delivered message.
                n.metrics.in_system.add(now, -1);
                self.reply(id, Outcome::Ok);
                // Idle consumers take it at once.
                let n = &mut self.nodes[node];
                if let Behaviour::Queue { station } = &mut n.behaviour
                    && let Some(next) = station.take_next()
                {
                    n.metrics.queue.add(now, -1);
                    self.consume(next);
                }
                return;
            }
        };
        self.admitted(id, admission);
    }

    /// What follows a station's answer to a call that asked for a worker.
    #[inline]
    pub(super) fn admitted(&mut self, id: CallId, admission: Admission) {
        match admission {
            Admission::Started => self.start_work(id, false),
            Admission::Queued => self.queued(id),
            Admission::Rejected => self.fail_here(id, FailureReason::Rejected),
            Admission::QueuedInstead(out) => self.push_out(id, out),
        }
    }

    /// A call reaches a service that drops abandoned work: if its caller
    /// (or one above) gave up while it travelled, it fails at once
    /// ("deadline exceeded"), else it is admitted as usual.
    #[inline(never)]
    fn arrive_checking_deadline(&mut self, id: CallId, node: usize, class: crate::scenario::PriorityClass) {
        if self.abandoned(id) {
            self.fail_here(id, FailureReason::DeadlineExceeded);
            return;
        }
        if let Behaviour::Service { fleet: Some(_), .. } = &self.nodes[node].behaviour {
            self.arrive_at_fleet(id, node, class);
            return;
        }
        let Behaviour::Service { station, .. } = &mut self.nodes[node].behaviour else { return };
        let admission = station.admit(id, class);
        self.admitted(id, admission);
    }

    /// A full line took `id` in place of `out`, a less important request
    /// that was waiting: `out` is shed (failed at once, reason "shed").
    #[inline(never)]
    fn push_out(&mut self, id: CallId, out: CallId) {
        let now = self.now;
        self.queued(id);
        if let Some(c) = self.calls.get(out) {
            self.nodes[c.node as usize].metrics.queue.add(now, -1);
        }
        self.fail_here(out, FailureReason::Shed);
    }

    /// A load balancer forwards a call to a target its health checks
    /// consider up, or fails it when none is.
    fn route(&mut self, id: CallId, node: usize, key: u64) {
        self.measure_distances_if_nearest(id, node);
        let known_down = self.known_down_targets(node);
        let n = &mut self.nodes[node];
        let Behaviour::LoadBalancer { balancer, .. } = &mut n.behaviour else { return };
        let pick = balancer.pick(key, |t| is_known_up(known_down, t), &mut n.rng);
        self.forward(id, node, pick);
    }

    /// A load balancer retries a call: to a target that is up other than
    /// `failed`, the one that just failed it (as Envoy's `previous_hosts`
    /// predicate does), or to that one when it is the only one up.
    #[inline(never)]
    fn reroute(&mut self, id: CallId, node: usize, key: u64, failed: usize) {
        self.measure_distances_if_nearest(id, node);
        let known_down = self.known_down_targets(node);
        let n = &mut self.nodes[node];
        let Behaviour::LoadBalancer { balancer, .. } = &mut n.behaviour else { return };
        let pick = balancer
            .pick(key, |t| t != failed && is_known_up(known_down, t), &mut n.rng)
            .or_else(|| balancer.pick(key, |t| is_known_up(known_down, t), &mut n.rng));
        self.forward(id, node, pick);
    }

    /// For a `Nearest` balancer: how far each target is from the client
    /// the request `id` comes from, for its next pick.
    #[inline]
    fn measure_distances_if_nearest(&mut self, id: CallId, node: usize) {
        if let Behaviour::LoadBalancer { balancer, .. } = &self.nodes[node].behaviour
            && balancer.policy == crate::scenario::LbPolicy::Nearest
        {
            self.measure_distances(id, node);
        }
    }

    #[inline(never)]
    fn measure_distances(&mut self, id: CallId, node: usize) {
        let source = self.placed_caller(id) as usize;
        let areas = self.scenario.areas();
        let distances: Vec<f64> = self.nodes[node]
            .out_edges
            .iter()
            .map(|&e| areas.nearness(source, self.edges[e as usize].to as usize))
            .collect();
        if let Behaviour::LoadBalancer { balancer, .. } = &mut self.nodes[node].behaviour {
            balancer.distances = distances;
        }
    }

    /// Which targets of load balancer `node` its health checks have marked
    /// down (its active checks, or else the fixed delay after a crash) or
    /// its outlier ejection has taken out: a bit per target; beyond 128
    /// targets the rest count as up.
    #[expect(
        clippy::inline_always,
        reason = "on every route at a balancer; left to the compiler it became a call once the health checks \
                  were added, and the five-hop benchmark cost 0.6 % more instructions (callgrind)"
    )]
    #[inline(always)]
    fn known_down_targets(&self, node: usize) -> u128 {
        let Behaviour::LoadBalancer { health_check_delay_ns, health, .. } = &self.nodes[node].behaviour else {
            return 0;
        };
        match health {
            None => self.down_for_longer_than(node, *health_check_delay_ns),
            Some(h) => self.known_down_by_health(node, h, *health_check_delay_ns),
        }
    }

    /// Why the load balancer at the start of `edge` sends nothing over it
    /// now, if it does not (`None` too for an edge from anything else).
    pub fn balancer_target_out(&self, edge: usize) -> Option<super::TargetOut> {
        let e = self.edges.get(edge)?;
        let node = e.from as usize;
        let Behaviour::LoadBalancer { health, .. } = &self.nodes.get(node)?.behaviour else { return None };
        let t = self.nodes[node].out_edges.iter().position(|&o| o as usize == edge)?;
        let bit = 1u128.checked_shl(u32::try_from(t).ok()?)?;
        let ejected = health.as_ref().and_then(|h| h.outliers.as_ref()).is_some_and(|o| o.ejected & bit != 0);
        if ejected {
            return Some(super::TargetOut::Ejected);
        }
        let down = match health.as_ref().and_then(|h| h.checks.as_ref()) {
            Some(checks) => checks.unhealthy & bit != 0,
            None => self.known_down_targets(node) & bit != 0,
        };
        down.then_some(super::TargetOut::MarkedDown)
    }

    /// The targets of balancer `node` down for `delay` or longer: the fixed
    /// delay's model of health checks.
    #[inline]
    fn down_for_longer_than(&self, node: usize, delay: u64) -> u128 {
        let now = self.now;
        let mut known_down: u128 = 0;
        for (t, &edge) in self.nodes[node].out_edges.iter().enumerate().take(128) {
            let h = &self.nodes[self.edges[edge as usize].to as usize].health;
            if h.down && now.since(h.down_since) >= delay {
                known_down |= 1 << t;
            }
        }
        known_down
    }

    /// The targets of a balancer with active checks or outlier ejection
    /// that they took out; kept out of line, off the path of the others.
    #[inline(never)]
    fn known_down_by_health(&self, node: usize, health: &LbHealth, delay: u64) -> u128 {
        health.known_down(|| self.down_for_longer_than(node, delay))
    }

    /// A load balancer with outlier ejection got target `t`'s answer to a
    /// call over an edge without a policy. (Over an edge with one, the
    /// answer was heard as it came, before retries and fallbacks made it
    /// something else: `outliers_hear_over_edge`.)
    #[inline(never)]
    fn lb_heard(&mut self, node: usize, t: usize, outcome: Outcome) {
        let edge = self.nodes[node].out_edges.get(t).copied();
        if edge.is_some_and(|e| self.edges[e as usize].policy.is_none()) {
            self.outliers_hear(node, t, outcome);
        }
    }

    /// Sends a load balancer's call to the target picked, or fails it when
    /// there was none to pick.
    #[inline]
    fn forward(&mut self, id: CallId, node: usize, pick: Option<usize>) {
        match pick {
            Some(t) => {
                let edge = self.nodes[node].out_edges[t];
                if let Some(c) = self.calls.get_mut(id) {
                    c.lb_target = u8::try_from(t).unwrap_or(u8::MAX);
                }
                if let Behaviour::LoadBalancer { balancer, .. } = &self.nodes[node].behaviour
                    && balancer.global
                {
                    self.send_from_global(id, edge);
                } else {
                    self.send(id, edge);
                }
            }
            None => self.fail_here(id, FailureReason::NodeDown),
        }
    }

    /// A global (DNS-style) balancer sends `id` over `edge`: the request
    /// pays the round trip between its sender (see `placed_caller`) and the
    /// target on the way (the answer's way back adds nothing more), as a
    /// user's connection to the region DNS named would.
    #[inline(never)]
    fn send_from_global(&mut self, id: CallId, edge: u32) {
        let source = self.placed_caller(id) as usize;
        let to = self.edges[edge as usize].to as usize;
        let round_trip_ns = super::time::secs_to_nanos(2.0 * self.scenario.areas().latency_ms(source, to) / 1_000.0);
        // A call that waits in the edge's bulkhead line crosses later, in
        // `let_waiting_calls_in`, which adds the same round trip itself.
        self.edges[edge as usize].added_ns += round_trip_ns;
        self.send(id, edge);
        let e = &mut self.edges[edge as usize];
        e.added_ns = e.added_ns.saturating_sub(round_trip_ns);
    }

    /// The round trip a call over `edge` pays when the edge leaves a global
    /// balancer (0 otherwise): between the request's client and the target.
    fn global_round_trip_ns(&self, child: CallId, edge: u32) -> u64 {
        let Some(e) = self.edges.get(edge as usize) else { return 0 };
        let global = matches!(&self.nodes[e.from as usize].behaviour, Behaviour::LoadBalancer { balancer, .. } if balancer.global);
        if !global {
            return 0;
        }
        // The child's caller is the balancer's call: distances run from
        // whoever called the balancer.
        let Some(balancer_call) = self.calls.get(child).and_then(super::call::Call::caller) else { return 0 };
        let source = self.placed_caller(balancer_call) as usize;
        super::time::secs_to_nanos(2.0 * self.scenario.areas().latency_ms(source, e.to as usize) / 1_000.0)
    }

    /// Where the call `id` at a balancer comes from, for distances: the
    /// node that sent it there, or, when that node is placed nowhere (another
    /// global balancer), the nearest placed node up its chain of callers —
    /// the client at the end of it if none is. `NONE` if the chain is gone.
    fn placed_caller(&self, id: CallId) -> u32 {
        let areas = self.scenario.areas();
        let mut at = id;
        let mut last = NONE;
        while let Some(call) = self.calls.get(at) {
            let Some(from) = self.edges.get(call.via_edge as usize).map(|e| e.from) else { return call.node };
            if areas.placement(from as usize).region.is_some() {
                return from;
            }
            last = from;
            match call.caller() {
                Some(caller) if self.calls.get(caller).is_some() => at = caller,
                _ => break,
            }
        }
        last
    }

    fn queued(&mut self, id: CallId) {
        let now = self.now;
        if let Some(c) = self.calls.get_mut(id) {
            c.state = CallState::Queued;
            c.mark = now;
            self.nodes[c.node as usize].metrics.queue.add(now, 1);
        }
    }

    /// A worker starts on a call (`waited`: it came from the waiting line).
    pub(super) fn start_work(&mut self, id: CallId, waited: bool) {
        let now = self.now;
        if self.tracer.is_some() {
            self.trace_started(id);
        }
        let Some(call) = self.calls.get_mut(id) else { return };
        let n = &mut self.nodes[call.node as usize];
        let slowdown = n.health.slowdown();
        let duration = match &mut n.behaviour {
            Behaviour::Service { service_time, .. } => {
                call.holds_worker = true;
                service_time.sample(&mut n.rng)
            }
            Behaviour::Database(db) => {
                call.holds_worker = true;
                if let Some(shards) = &mut db.shards {
                    let shard = usize::from(call.server) / (db.replicas + 1);
                    if let Some(busy) = shards.busy.get_mut(shard) {
                        busy.add(now, 1);
                    }
                }
                if let Some(scaler) = &mut db.scaler
                    && usize::from(call.server) % (db.replicas + 1) != 0
                {
                    scaler.busy.add(now, 1);
                }
                let own = match &db.write_time {
                    Some(write_time) if call.is_write => write_time.sample(&mut n.rng),
                    _ => db.query_time.sample(&mut n.rng),
                };
                // A heavy-tailed draw may already be at the largest time.
                own.saturating_add(db.table_ns)
            }
            Behaviour::Cache { lookup_time, .. } => lookup_time.sample(&mut n.rng),
            _ => 0,
        };
        if call.holds_worker {
            let m = &mut n.metrics;
            m.counters.started += 1;
            m.busy.add(now, 1);
            if waited {
                m.counters.waited += 1;
                m.counters.wait_sum_ns += now.since(call.mark) as f64;
            }
        }
        call.state = CallState::Working;
        let duration = if slowdown == 1.0 { duration } else { (duration as f64 * slowdown) as u64 };
        // A stop-the-world pause freezes the work: it ends that much later.
        let done = n.health.pauses.work_ends(now, duration);
        self.schedule(done, Event::WorkDone(id));
    }

    /// A consumer takes a message from a queue and delivers it downstream.
    pub(super) fn consume(&mut self, message: CallId) {
        let now = self.now;
        let Some(m) = self.calls.get_mut(message) else { return };
        let node = m.node as usize;
        let lag = now.since(m.arrived);
        m.holds_worker = true;
        m.state = CallState::Waiting;
        let n = &mut self.nodes[node];
        n.metrics.counters.started += 1;
        n.metrics.busy.add(now, 1);
        n.metrics.in_system.add(now, 1);
        if lag > 0 {
            n.metrics.counters.waited += 1;
            n.metrics.counters.wait_sum_ns += lag as f64;
        }
        if let Some(&edge) = n.out_edges.first() {
            self.send(message, edge);
        }
    }

    /// A node finished its own work on a call.
    pub(super) fn on_work_done(&mut self, id: CallId) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(id) else { return };
        if call.state != CallState::Working {
            return;
        }
        let node = call.node as usize;
        let n = &mut self.nodes[node];
        if call.epoch != n.health.epoch {
            return; // lost in a crash (already failed)
        }
        let (key, tag, is_write, server) = (u64::from(call.key), call.tag, call.is_write, usize::from(call.server));
        let via_edge = call.via_edge as usize;
        match &mut n.behaviour {
            Behaviour::Service { error_probability, blocking_calls, fan_out, .. } => {
                let p = n.health.error_probability(*error_probability);
                if p > 0.0 && n.rng.random_bool(p.min(1.0)) {
                    n.metrics.counters.injected_errors += u64::from(n.health.injects_errors());
                    self.release_worker(id);
                    self.fail_here(id, FailureReason::Error);
                } else if let Some(&edge) = n.out_edges.first() {
                    call.children_started = 0;
                    call.state = CallState::Waiting;
                    let blocking = *blocking_calls;
                    let fan_out = fan_out.is_some() && n.out_edges.len() > 1;
                    if !blocking {
                        self.release_worker(id);
                    }
                    if fan_out {
                        self.fan_out(id, node);
                    } else {
                        self.send(id, edge);
                    }
                } else {
                    self.release_worker(id);
                    self.finish(id, Outcome::Ok);
                }
            }
            Behaviour::Cache { store, .. } => {
                let p = n.health.error_probability(0.0);
                if p > 0.0 && n.rng.random_bool(p.min(1.0)) {
                    n.metrics.counters.injected_errors += 1;
                    self.fail_here(id, FailureReason::Error);
                    return;
                }
                if is_write {
                    // Write-through: drop the cached copy, pass the write on.
                    store.invalidate(key);
                } else if key != 0 || matches!(store, super::CacheStore::Fixed { .. }) {
                    if store.lookup(key, now, &mut n.rng) {
                        n.metrics.counters.hits += 1;
                        self.finish(id, Outcome::Ok);
                        return;
                    }
                    n.metrics.counters.misses += 1;
                } else {
                    // No key to look up: an LRU cache cannot hit.
                    n.metrics.counters.misses += 1;
                }
                call.state = CallState::Waiting;
                if let Some(&edge) = n.out_edges.first() {
                    self.send(id, edge);
                } else {
                    self.fail_here(id, FailureReason::NodeDown);
                }
            }
            Behaviour::Database(db) => {
                let p = n.health.error_probability(db.error_probability);
                let error = p > 0.0 && n.rng.random_bool(p.min(1.0));
                n.metrics.counters.injected_errors += u64::from(error && n.health.injects_errors());
                if !error
                    && is_write
                    && let Some(applied) = &mut db.applied_writes
                {
                    let site = self.write_sites.get(via_edge).copied().unwrap_or(u32::MAX);
                    match applied.apply(tag, site, now) {
                        WriteEffect::Applied => {}
                        WriteEffect::Duplicate => n.metrics.counters.duplicate_writes += 1,
                        WriteEffect::Deduplicated => n.metrics.counters.deduplicated_writes += 1,
                    }
                }
                if !error && db.replication_lag_ns > 0 && key != 0 {
                    if is_write {
                        db.last_write.insert(key, now);
                    } else if server > 0
                        && db.last_write.get(&key).is_some_and(|&w| now.since(w) < db.replication_lag_ns)
                    {
                        n.metrics.counters.stale_reads += 1;
                    }
                }
                self.release_worker(id);
                if error {
                    self.fail_here(id, FailureReason::Error);
                } else {
                    self.finish(id, Outcome::Ok);
                }
            }
            _ => {}
        }
    }

    /// Frees the worker a call holds and gives it to the next in line.
    fn release_worker(&mut self, id: CallId) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(id) else { return };
        if !call.holds_worker {
            return;
        }
        call.holds_worker = false;
        let node = call.node as usize;
        let server = usize::from(call.server);
        let n = &mut self.nodes[node];
        n.metrics.busy.add(now, -1);
        let next = match &mut n.behaviour {
            Behaviour::Service { station, fleet: None, .. } | Behaviour::Queue { station } => station.release(),
            Behaviour::Service { station, fleet: Some(fleet), .. } => {
                fleet.release(station, server, now, &mut n.metrics)
            }
            Behaviour::Database(db) => {
                if let Some(shards) = &mut db.shards
                    && let Some(busy) = shards.busy.get_mut(server / (db.replicas + 1))
                {
                    busy.add(now, -1);
                }
                if let Some(scaler) = &mut db.scaler
                    && server % (db.replicas + 1) != 0
                {
                    scaler.busy.add(now, -1);
                }
                db.release(server, now, &mut n.metrics)
            }
            _ => None,
        };
        if let Some(next) = next {
            n.metrics.queue.add(now, -1);
            if matches!(n.behaviour, Behaviour::Queue { .. }) {
                self.consume(next);
            } else if n.shed_after_ns.is_some() || n.drop_expired {
                self.serve_or_shed(next, node, server);
            } else {
                self.start_work(next, true);
            }
        }
    }

    /// Load shedding at a node with `shed_after_ms`: the request whose turn
    /// it is is dropped ("shed") if it waited longer than that — or, at a
    /// node with `drop_expired`, if nobody waits for its answer any more
    /// ("deadline exceeded") — and the worker goes to the next in line,
    /// until one is worth serving. A loop, not recursion: a long line of
    /// stale requests is dropped in one pass.
    #[inline(never)]
    pub(super) fn serve_or_shed(&mut self, first: CallId, node: usize, server: usize) {
        let now = self.now;
        let mut next = Some(first);
        while let Some(call) = next {
            let waited = self.calls.get(call).map_or(0, |c| now.since(c.mark));
            let expired = self.nodes[node].drop_expired && self.abandoned(call);
            let n = &mut self.nodes[node];
            let too_late = n.shed_after_ns.is_some_and(|cap| waited > cap);
            if !too_late && !expired {
                self.start_work(call, true);
                return;
            }
            // Give the worker back and take the next in line.
            next = match &mut n.behaviour {
                Behaviour::Service { station, fleet: None, .. } => station.release(),
                Behaviour::Service { station, fleet: Some(fleet), .. } => {
                    fleet.release(station, server, now, &mut n.metrics)
                }
                Behaviour::Database(db) => db.release(server, now, &mut n.metrics),
                _ => None,
            };
            if next.is_some() {
                n.metrics.queue.add(now, -1);
            }
            let reason = if too_late { FailureReason::Shed } else { FailureReason::DeadlineExceeded };
            self.fail_here(call, reason);
        }
    }

    /// Whether nobody waits for `call`'s answer any more: it, or a call
    /// above it, was detached by a caller that timed out, or a caller above
    /// it has already answered (a fan-out that had enough). What a
    /// propagated deadline tells a callee, found by walking up the calls
    /// that wait on each other (a few hops).
    fn abandoned(&self, call: CallId) -> bool {
        let mut c = call;
        loop {
            let Some(here) = self.calls.get(c) else { return true };
            if here.is_detached() {
                return true;
            }
            if here.parent == NONE {
                // A client's request (its own timeout detaches its attempts)
                // or a queue's message: someone still wants it.
                return false;
            }
            c = CallId { index: here.parent, generation: here.parent_generation };
        }
    }

    /// Fails a call with a reason that belongs to its own node.
    fn fail_here(&mut self, id: CallId, reason: FailureReason) {
        let origin = self.calls.get(id).map_or(0, |c| c.node);
        self.finish(id, Outcome::Failed { reason, origin });
    }

    /// A node answers a call: counted at the node, then sent back.
    pub(super) fn finish(&mut self, id: CallId, outcome: Outcome) {
        let now = self.now;
        if self.tracer.is_some() {
            self.trace_ended(id, outcome);
        }
        let Some(call) = self.calls.get(id) else { return };
        let node = call.node;
        let m = &mut self.nodes[node as usize].metrics;
        m.in_system.add(now, -1);
        let sojourn = now.since(call.arrived);
        match outcome {
            Outcome::Failed { reason, origin } if origin == node => m.record_failed(Some(reason), sojourn),
            Outcome::Failed { .. } => m.record_failed(None, sojourn),
            Outcome::Degraded => m.record_degraded(sojourn),
            _ => m.record_ok(sojourn),
        }
        self.reply(id, outcome);
    }

    /// The tracer's record of call `id` ending (`sim::trace`); out of line,
    /// so a run without traces carries none of it on its hot path.
    #[cold]
    #[inline(never)]
    fn trace_ended(&mut self, id: CallId, outcome: Outcome) {
        let (Some(tracer), Some(call)) = (self.tracer.as_deref_mut(), self.calls.get(id)) else { return };
        tracer.ended(call.tag.id(), id, call.caller(), call.node, call.arrived, self.now, outcome);
    }

    /// The tracer's record of a worker taking call `id`.
    #[cold]
    #[inline(never)]
    fn trace_started(&mut self, id: CallId) {
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.started(id, self.now);
        }
    }

    /// The tracer's record of call `child` made for request `request`.
    #[cold]
    #[inline(never)]
    fn trace_opened(&mut self, request: u32, child: CallId) {
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.opened(request, child);
        }
    }

    /// The tracer's record of the client's request `root` ending.
    #[cold]
    #[inline(never)]
    fn trace_request_done(&mut self, root: CallId, outcome: Outcome) {
        let (Some(tracer), Some(call)) = (self.tracer.as_deref_mut(), self.calls.get(root)) else { return };
        let calls = &self.calls;
        let in_flight = |id| calls.get(id).map(|c| (c.caller(), c.node, c.arrived));
        tracer.request_done(call.tag.id(), root, call.node, call.arrived, self.now, outcome, in_flight);
    }

    /// Sends the answer back over the edge the call came by.
    fn reply(&mut self, id: CallId, outcome: Outcome) {
        let now = self.now;
        let Some(call) = self.calls.get_mut(id) else { return };
        call.state = CallState::Finished;
        call.outcome = outcome;
        if call.parent == NONE {
            self.calls.free(id);
            return;
        }
        let delay = self.edges.get_mut(call.via_edge as usize).map_or(0, |e| e.delay_back(now));
        self.schedule(now.after(delay), Event::Reply(id));
    }
}

/// Whether some caller still waits for `call`'s answer.
fn awaited_in(calls: &super::call::CallSlab, call: CallId) -> bool {
    let Some(child) = calls.get(call) else { return false };
    let parent = CallId { index: child.parent, generation: child.parent_generation };
    calls.get(parent).is_some_and(|p| awaits(p, call))
}

/// Whether a timeout list holds many more calls than are in flight in
/// the whole simulation, so most of it must be answered calls (see
/// `prune_timeouts`). Pruning then halves it at least: amortised O(1).
#[inline]
fn timeouts_crowded(list: &TimeoutList, calls: &super::call::CallSlab) -> bool {
    list.len() > 64 && list.len() > 2 * calls.live()
}

/// Whether `caller` still waits for `child`'s answer: the one call it
/// waits on, or any of a fan-out's (a fan-out's child that timed out no
/// longer names it).
#[inline]
fn awaits(caller: &super::call::Call, child: CallId) -> bool {
    (caller.state == CallState::Waiting && caller.waiting_on == child)
        || matches!(caller.state, CallState::FanOut | CallState::Hedged | CallState::HedgedHalf)
}

/// Whether target `t` is up as far as the health checks know.
#[inline]
fn is_known_up(known_down: u128, t: usize) -> bool {
    t >= 128 || known_down & (1 << t) == 0
}

/// The key's shard first (when sharded, counting the arrival there); then
/// writes go to its primary and reads spread round robin over its replicas.
#[inline]
fn pick_server(db: &mut DatabaseBehaviour, is_write: bool, key: u32) -> usize {
    let replicas = db.replicas;
    let primary = match &mut db.shards {
        None => 0,
        Some(shards) => {
            let shard = shards.shard_of(key);
            shards.arrivals[shard] += 1;
            shard * (replicas + 1)
        }
    };
    if is_write || replicas == 0 {
        return primary;
    }
    if let Some(scaler) = &mut db.scaler {
        // Autoscaled: the ready replicas only, the primary with none ready.
        return scaler.pick().map_or(primary, |k| primary + 1 + k);
    }
    db.next_replica = (db.next_replica + 1) % replicas;
    primary + 1 + db.next_replica
}

//! Closed-form queueing results the simulator is validated against (see
//! `docs/validation.md`). Rates are per second, times in seconds.

/// M/M/1: utilisation ρ = λ/μ.
pub fn mm1_mean_sojourn(lambda: f64, mu: f64) -> f64 {
    1.0 / (mu - lambda)
}

/// M/M/1: mean number in system L = ρ / (1 − ρ).
pub fn mm1_mean_in_system(lambda: f64, mu: f64) -> f64 {
    let rho = lambda / mu;
    rho / (1.0 - rho)
}

/// M/M/1: the sojourn time is exponential with rate μ − λ, so its q-quantile
/// is −ln(1 − q) / (μ − λ).
pub fn mm1_sojourn_quantile(lambda: f64, mu: f64, q: f64) -> f64 {
    -(1.0 - q).ln() / (mu - lambda)
}

/// Erlang C: probability an arrival waits in M/M/c, offered load a = λ/μ.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    // Sum a^k/k! for k < c, computed iteratively for stability.
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c); // a^c / c!
    let top = last / (1.0 - rho);
    top / (sum + top)
}

/// M/M/c mean sojourn: W = C(c, a) / (cμ − λ) + 1/μ.
pub fn mmc_mean_sojourn(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda) + 1.0 / mu
}

/// M/M/c+D: c exponential servers (rate μ each), Poisson arrivals λ, and
/// every arrival that finds the servers busy waits in line at most τ
/// seconds, then leaves — a bulkhead of c calls whose calls wait up to
/// `bulkhead_wait_ms` (the callee never queues). Returns (P(wait),
/// P(abandon)): the shares of arrivals that find every place taken, and
/// that leave without one.
///
/// The M/M/n+G formulas of Zeltyn and Mandelbaum (2005) with a constant
/// patience τ: with H(x) = min(x, τ), J = ∫₀^∞ exp(λH(x) − cμx) dx =
/// (e^{(λ−cμ)τ} − 1)/(λ − cμ) + e^{(λ−cμ)τ}/(cμ), and E = Σ_{j<c} a^j/j!
/// ÷ a^{c−1}/(c−1)! (a = λ/μ): P(wait) = λJ/(E + λJ) and P(abandon) =
/// (1 + (λ − cμ)J)/(E + λJ). With τ → ∞ and λ < cμ, P(wait) is Erlang C;
/// with c = 1 P(abandon) is (1−ρ)ρe^{−(μ−λ)τ}/(1 − ρ²e^{−(μ−λ)τ}).
pub fn mmc_deterministic_patience(c: u32, lambda: f64, mu: f64, tau: f64) -> (f64, f64) {
    let a = lambda / mu;
    // E, summed from its last term (1) down: term_{j−1} = term_j · j / a.
    let (mut term, mut e) = (1.0, 1.0);
    for j in (1..c).rev() {
        term *= f64::from(j) / a;
        e += term;
    }
    let drift = lambda - f64::from(c) * mu;
    let grown = (drift * tau).exp();
    let rising = if drift.abs() < 1e-12 { tau } else { (grown - 1.0) / drift };
    let j = rising + grown / (f64::from(c) * mu);
    let denominator = e + lambda * j;
    (lambda * j / denominator, (1.0 + drift * j) / denominator)
}

/// M/M/1/K blocking probability (K places in all, the one in service included).
pub fn mm1k_blocking(lambda: f64, mu: f64, k: u32) -> f64 {
    let rho = lambda / mu;
    if (rho - 1.0).abs() < 1e-12 {
        return 1.0 / f64::from(k + 1);
    }
    (1.0 - rho) * rho.powi(k as i32) / (1.0 - rho.powi(k as i32 + 1))
}

/// Erlang B: blocking probability of M/M/c/c (no waiting room).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C from the Erlang B recursion: stable for any number of
/// servers (the power series of [`erlang_c`] overflows past a ≈ 700).
/// `None` when the system is overloaded (a ≥ c).
pub fn erlang_c_stable(c: u32, a: f64) -> Option<f64> {
    let rho = a / f64::from(c);
    if rho.is_nan() || rho >= 1.0 || c == 0 {
        return None;
    }
    let b = erlang_b(c, a);
    Some(b / (1.0 - rho * (1.0 - b)))
}

/// M/M/c: the probability that a request's sojourn (wait plus service)
/// exceeds `t` seconds, FCFS. With a = λ/μ and C the Erlang C,
/// P(T > t) = e^{−μt} + C·μ/((c−1−a)μ)·(e^{−μt} − e^{−(cμ−λ)t}), and
/// P(T > t) = e^{−μt}(1 + Cμt) in the limit c − 1 = a. `None` when
/// overloaded.
pub fn mmc_sojourn_tail(c: u32, lambda: f64, mu: f64, t: f64) -> Option<f64> {
    let a = lambda / mu;
    let erlang = erlang_c_stable(c, a)?;
    let gap = f64::from(c) - 1.0 - a;
    let service = (-mu * t).exp();
    if gap.abs() < 1e-9 {
        return Some(service * (1.0 + erlang * mu * t));
    }
    let waiting = (-(f64::from(c) * mu - lambda) * t).exp();
    Some(service + erlang / gap * (service - waiting))
}

/// M/M/c: the q-quantile of the sojourn time, seconds, by bisection on
/// [`mmc_sojourn_tail`]. `None` when overloaded.
pub fn mmc_sojourn_quantile(c: u32, lambda: f64, mu: f64, q: f64) -> Option<f64> {
    let target = 1.0 - q;
    let mut high = 1.0 / mu;
    while mmc_sojourn_tail(c, lambda, mu, high)? > target {
        high *= 2.0;
        if high > 1e9 {
            return None;
        }
    }
    let mut low = 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        if mmc_sojourn_tail(c, lambda, mu, mid)? > target {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(0.5 * (low + high))
}

/// M/G/1 mean waiting time by Pollaczek–Khinchine: Wq = λ E[S²] / (2(1 − ρ)).
pub fn mg1_mean_wait(lambda: f64, mean_s: f64, second_moment_s2: f64) -> f64 {
    let rho = lambda * mean_s;
    lambda * second_moment_s2 / (2.0 * (1.0 - rho))
}

/// Largest λt at which the M/D/1 waiting-time sum is used: its terms
/// alternate in sign and grow like e^{λt}, so beyond this the cancellation
/// eats an f64's digits and the exponential tail takes over (it agrees
/// with the sum there to about 1e-6, see the tests).
const MD1_SUM_UP_TO_LAMBDA_T: f64 = 10.0;

/// M/D/1 (FCFS, work time `d_s`): the probability that a request waits at
/// most `t` seconds. Up to λt = 10 by Erlang's formula (Crommelin 1932),
/// P(Wq ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)};
/// beyond, by the M/G/1 exponential tail (Cramér–Lundberg),
/// P(Wq > t) ≈ (1 − ρ) / (λD e^{θD} − 1) · e^{−θt}, θ > 0 the root of
/// λ(e^{θD} − 1) = θ. `None` when overloaded.
pub fn md1_wait_cdf(lambda: f64, d_s: f64, t: f64) -> Option<f64> {
    let rho = lambda * d_s;
    if !(0.0..1.0).contains(&rho) || t < 0.0 || d_s <= 0.0 {
        return None;
    }
    if lambda * t > MD1_SUM_UP_TO_LAMBDA_T {
        let theta = md1_decay_rate(lambda, d_s)?;
        let c = (1.0 - rho) / (rho * (theta * d_s).exp() - 1.0);
        return Some((1.0 - c * (-theta * t).exp()).clamp(0.0, 1.0));
    }
    // λt ≤ 10 here, so ⌊t/D⌋ ≤ 10/ρ: bounded unless ρ is vanishingly
    // small, where waiting at all is as unlikely (the sum is then 1/(1 − ρ)).
    let terms = (t / d_s).floor();
    if terms > 100_000.0 {
        return Some(1.0);
    }
    let terms = terms as u32;
    let mut sum = 0.0;
    for k in 0..=terms {
        let x = lambda * (f64::from(k) * d_s - t);
        // x^k / k! built up factor by factor (x ≤ 0, so the sign alternates).
        let power = (1..=k).fold(1.0, |acc, j| acc * x / f64::from(j));
        sum += power * (-x).exp();
    }
    Some(((1.0 - rho) * sum).clamp(0.0, 1.0))
}

/// θ > 0 with λ(e^{θD} − 1) = θ: the decay rate of an M/D/1 wait's tail.
fn md1_decay_rate(lambda: f64, d_s: f64) -> Option<f64> {
    let f = |theta: f64| lambda * (theta * d_s).exp_m1() - theta;
    let mut high = 1.0 / d_s;
    while f(high) <= 0.0 {
        high *= 2.0;
        if high > 1e12 {
            return None;
        }
    }
    // f < 0 just above 0 (f'(0) = ρ − 1 < 0): bisect on (0, high].
    let mut low = high * 1e-12;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if f(mid) <= 0.0 {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(0.5 * (low + high))
}

/// M/D/1: the q-quantile of the sojourn time (wait plus the work `d_s`),
/// seconds, by bisection on [`md1_wait_cdf`]. `None` when overloaded or
/// too far in the tail to compute.
pub fn md1_sojourn_quantile(lambda: f64, d_s: f64, q: f64) -> Option<f64> {
    if !(0.0..1.0).contains(&q) {
        return None;
    }
    if md1_wait_cdf(lambda, d_s, 0.0)? >= q {
        return Some(d_s);
    }
    let mut high = d_s;
    while md1_wait_cdf(lambda, d_s, high)? < q {
        high *= 2.0;
    }
    let mut low = 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        if md1_wait_cdf(lambda, d_s, mid)? < q {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(0.5 * (low + high) + d_s)
}

/// M/D/1/K blocking probability (K places in all, the one in service
/// included), service time 1/μ: the share of arrivals lost.
///
/// This is also the share a token bucket refuses under Poisson arrivals:
/// with `rate` = μ and `burst` = K, the bucket's deficit (K − tokens)
/// drains at μ like the work in a single-server queue, each admitted
/// request adds one unit, and a request passes when the deficit is at most
/// K − 1, i.e. when fewer than K unit jobs are in the equivalent queue.
///
/// Computed from the chain embedded at departures, π over 0…K−1, with
/// `a[k]` = e^(−ρ) ρ^k / k! the chance of k arrivals during one service:
/// `π[j] = π[0]·a[j] + Σ_{i=1..=j+1} π[i]·a[j−i+1]`, solved upwards from
/// `π[0]`; then `P_K = 1 − 1/(π[0] + ρ)` (the M/G/1/K loss formula).
pub fn md1k_blocking(lambda: f64, mu: f64, k: u32) -> f64 {
    let rho = lambda / mu;
    let k = k.max(1) as usize;
    let mut a = Vec::with_capacity(k);
    let mut term = (-rho).exp();
    for j in 0..k {
        a.push(term);
        term *= rho / (j + 1) as f64;
    }
    let mut pi = vec![0.0; k];
    pi[0] = 1.0;
    for j in 0..k - 1 {
        let below: f64 = (1..=j).map(|i| pi[i] * a[j - i + 1]).sum();
        pi[j + 1] = (pi[j] - pi[0] * a[j] - below) / a[0];
    }
    let total: f64 = pi.iter().sum();
    1.0 - 1.0 / (pi[0] / total + rho)
}

/// Exact mean value analysis of a closed network: `users` circulating over
/// single-server FCFS stations with the given mean service demands, plus a
/// delay (think) station. Returns (throughput, mean response time excluding think).
pub fn mva(users: u32, demands_s: &[f64], think_s: f64) -> (f64, f64) {
    let mut queue = vec![0.0; demands_s.len()];
    let mut throughput = 0.0;
    let mut response = 0.0;
    for n in 1..=users {
        let residence: Vec<f64> = demands_s.iter().zip(&queue).map(|(d, q)| d * (1.0 + q)).collect();
        response = residence.iter().sum();
        throughput = f64::from(n) / (response + think_s);
        for (q, r) in queue.iter_mut().zip(&residence) {
            *q = throughput * r;
        }
    }
    (throughput, response)
}

/// Expected attempts of a caller that makes up to `max_attempts` tries
/// of a call failing independently with probability `p` (and stops at the
/// first success): `(1 − p^m) / (1 − p)`, or `m` when every try fails.
pub fn expected_attempts(p: f64, max_attempts: u32) -> f64 {
    let m = max_attempts.max(1);
    if p >= 1.0 {
        return f64::from(m);
    }
    (1.0 - p.powi(m as i32)) / (1.0 - p)
}

/// Writes applied more than once per request, when a client retries a
/// write up to `max_attempts` times after a timeout that each attempt
/// hits independently with probability `q`: every attempt is applied
/// (a timed-out call is not cancelled), so the duplicates are the
/// attempts beyond the first, `(1 − q^m)/(1 − q) − 1`. With idempotency
/// keys as many repeats arrive, and none is applied.
pub fn duplicate_writes_per_request(q: f64, max_attempts: u32) -> f64 {
    expected_attempts(q, max_attempts) - 1.0
}

/// Mean wait for the worker of each priority class, most important
/// first, at an M/M/1 server that serves waiting requests by class
/// without interrupting the one in service (non-preemptive priority),
/// every class taking Exp(1/μ): Cobham's formula
/// `W_k = R / ((1 − σ_{k−1})(1 − σ_k))` with `R = ρ/μ` (the mean
/// residual work in service) and `σ_k` the load of classes 1..k. Empty
/// if the server is overloaded. In seconds.
pub fn priority_waits(rates_by_class: &[f64], mu: f64) -> Vec<f64> {
    let rho: f64 = rates_by_class.iter().sum::<f64>() / mu;
    if rho >= 1.0 || mu <= 0.0 {
        return Vec::new();
    }
    let residual = rho / mu;
    let mut above = 0.0;
    rates_by_class
        .iter()
        .map(|&rate| {
            let through = above + rate / mu;
            let wait = residual / ((1.0 - above) * (1.0 - through));
            above = through;
            wait
        })
        .collect()
}

/// Share of its requests a client with adaptive throttling (the SRE
/// book's, with constant `k`) refuses itself when it is asked for `rate`
/// requests/s and its backend accepts at most `accepted` per second
/// (a rate limiter): in steady state it sends `k·accepted`, so it refuses
/// `1 − k·accepted/rate` (none when that is not positive). The `+1` of
/// the formula's denominator is negligible over a window of many requests.
pub fn throttled_share(rate: f64, accepted: f64, k: f64) -> f64 {
    if rate <= 0.0 { 0.0 } else { (1.0 - k * accepted / rate).max(0.0) }
}

/// Calls that reach the bottom of a chain of callers, per request at the
/// top, when the bottom fails each call independently with probability
/// `p` and every layer retries any failure: `attempts_bottom_up[0]` is the
/// most attempts of the caller right above the bottom, the next its
/// caller's, and so on. A call at one layer fails only when all of its
/// tries below failed (`q_{l+1} = q_l^m`), so the load multiplies as
/// `Π expected_attempts(q_l, m_l)`: `m^L` when the bottom is down
/// (3 layers × 3 attempts = 27), about 2 at `p = 0.5`.
pub fn nested_retry_load(p: f64, attempts_bottom_up: &[u32]) -> f64 {
    let mut q = p.clamp(0.0, 1.0);
    let mut load = 1.0;
    for &m in attempts_bottom_up {
        load *= expected_attempts(q, m);
        q = q.powi(m.max(1) as i32);
    }
    load
}

/// Calls per request to a dependency that fails every call, from a caller
/// whose retries are held by a budget of `ratio` retries per first
/// attempt plus `min_per_s` retries per second, at `rate` requests/s and
/// at most `max_attempts` tries each: `1 + ratio + min_per_s / rate`,
/// never above `max_attempts`.
pub fn budgeted_retry_load(ratio: f64, min_per_s: f64, rate: f64, max_attempts: u32) -> f64 {
    (1.0 + ratio + min_per_s / rate).min(f64::from(max_attempts.max(1)))
}

/// Share of calls a circuit breaker lets through to a dependency that
/// fails every call at once, under Poisson calls at `rate`/s: each cycle
/// refuses the calls of its `open_s` seconds (λ·T on average) and then
/// sends its `probes`, which fail and open it again, so by renewal-reward
/// the share sent is `k / (λ·T + k)`.
pub fn breaker_share_through(rate: f64, open_s: f64, probes: u32) -> f64 {
    let k = f64::from(probes);
    k / (rate * open_s + k)
}

/// Share of fan-out requests that are slow when a service calls `n`
/// leaves at once, each slow independently with probability `p`, and
/// waits for `needed` of them: slow unless at least `needed` leaves are
/// fast, `P(Binomial(n, 1 − p) < needed)`. Waiting for all (`needed = n`)
/// gives the tail-at-scale `1 − (1 − p)^n`; waiting for the first, `p^n`.
pub fn fan_out_slow_share(p: f64, n: u32, needed: u32) -> f64 {
    let q = 1.0 - p;
    let mut share = 0.0;
    let mut choose = 1.0; // C(n, j)
    for j in 0..needed.min(n + 1) {
        share += choose * q.powi(j as i32) * p.powi((n - j) as i32);
        choose = choose * f64::from(n - j) / f64::from(j + 1);
    }
    share
}

/// Hedging a call whose time is exponential with mean `mean` (ample
/// servers, so the copies are independent) after `delay`: returns the
/// extra calls per call, `P(S > d) = e^{−d/m}`, and the mean time of the
/// hedged call, `E[min(S₁, d + S₂)] = m(1 − e^{−d/m}) + e^{−d/m}·m/2`
/// (up to d it is S₁; past it, the minimum of two exponentials).
pub fn hedged_exponential(mean: f64, delay: f64) -> (f64, f64) {
    let late = (-delay / mean).exp();
    (late, mean * (1.0 - late) + late * mean / 2.0)
}

/// Extra response time, summed over the requests it delays, that one
/// stop-the-world pause of `pause_s` adds to a D/D/1 server (a request
/// every 1/λ, each served in 1/μ, λ < μ) when it begins while a request
/// is in service.
///
/// The request in service is frozen: it ends P late. The ones after it
/// queue, and the server, now busy without a break, gains back on each
/// the idle time δ = 1/λ − 1/μ it used to have between two requests: the
/// k-th after the frozen one is P − kδ late, while that is positive.
/// Summed over k = 0…K, K = ⌈P/δ⌉ − 1: (K + 1)·P − δ·K(K + 1)/2.
///
/// When P/δ is whole this is λP²/2 · μ/(μ − λ) + P/2: the fluid picture
/// (the backlog λP built during the pause drains at μ − λ, so arrivals
/// are delayed from P down to 0 over P/(1 − ρ): a triangle of area
/// P²/(2(1 − ρ)), times λ) plus half a pause for the request caught in
/// service, which the fluid picture spreads thin.
pub fn pause_added_delay_dd1(lambda: f64, mu: f64, pause_s: f64) -> f64 {
    let gap = 1.0 / lambda - 1.0 / mu;
    if pause_s <= 0.0 || gap <= 0.0 {
        return if pause_s > 0.0 { f64::INFINITY } else { 0.0 };
    }
    // The request at k = P/δ, if whole, is late by nothing: ⌈·⌉ − 1 and
    // ⌊·⌋ give the same sum, so a rounding of P/δ either way is harmless.
    let k = (pause_s / gap).ceil() - 1.0;
    (k + 1.0) * pause_s - gap * k * (k + 1.0) / 2.0
}

/// Share of requests an M/M/1 server sheds when a request that waited
/// longer than `d` for it is dropped (M/M/1+D, deterministic patience):
/// `(1 − ρ)·ρ·e^{−(μ−λ)d} / (1 − ρ²·e^{−(μ−λ)d})`. Dropping a request
/// when its turn comes is the same as it leaving at its deadline: in both,
/// the server never works on it, so the requests served are the same.
/// With `d = 0` it is M/M/1/1's ρ/(1 + ρ); as d grows it vanishes (ρ < 1)
/// or tends to 1 − 1/ρ (ρ > 1, the excess).
pub fn mm1_shed_share(lambda: f64, mu: f64, d: f64) -> f64 {
    let rho = lambda / mu;
    let e = (-(mu - lambda) * d).exp();
    (1.0 - rho) * rho * e / (1.0 - rho * rho * e)
}

/// Mean time a load balancer with active health checks (a probe every
/// `interval` to each target, a failure known `timeout` after its probe
/// went, `unhealthy_threshold` = u failures in a row to mark a target
/// down) keeps sending to a target that died at a moment uniform over the
/// probe cycle. The first probe after the death is U later, U uniform on
/// (0, I]; the u-th failed probe goes (u − 1)·I after it, and its failure
/// is known t after that: D = U + (u − 1)·I + t, on ((u − 1)·I + t, u·I + t],
/// so E[D] = (u − ½)·I + t. (A probe sees its target as it is when it is
/// sent: the probe at U is the first to fail.)
pub fn health_check_detection_mean(interval: f64, timeout: f64, unhealthy_threshold: u32) -> f64 {
    (f64::from(unhealthy_threshold.max(1)) - 0.5) * interval + timeout
}

/// Mean time until health checks mark a target healthy again after it
/// comes back at a moment uniform over the probe cycle: the first probe
/// after it is U later, the h-th passing one (h − 1)·I after that, and its
/// answer takes the round trip `rtt`: (h − ½)·I + rtt.
pub fn health_check_recovery_mean(interval: f64, rtt: f64, healthy_threshold: u32) -> f64 {
    (f64::from(healthy_threshold.max(1)) - 0.5) * interval + rtt
}

/// Requests a round-robin balancer over `targets` targets sends to one
/// that died, before its health checks take it out `mean_delay` later on
/// average: it keeps its share, `rate / targets` a second (Poisson or
/// not: round robin hands it every k-th request).
pub fn requests_to_a_dead_target(rate: f64, targets: u32, mean_delay: f64) -> f64 {
    rate / f64::from(targets.max(1)) * mean_delay
}

/// Requests a target that fails each one independently with probability
/// `p` gets before outlier ejection takes it out at `n` failures in a
/// row: the expected number of Bernoulli trials until the first run of n
/// failures, `(1 − p^n) / ((1 − p)·p^n)` (n when p = 1). With p = ½ and
/// n = 3: 14.
pub fn requests_until_ejection(p: f64, n: u32) -> f64 {
    let n = n.max(1);
    if p >= 1.0 {
        return f64::from(n);
    }
    let pn = p.powi(n as i32);
    (1.0 - pn) / ((1.0 - p) * pn)
}

/// `E_N/M/1` mean wait, seconds: one of `n` single-worker instances behind
/// round robin, fed a Poisson stream of `lambda` in all, sees every n-th
/// arrival, so its gaps are Erlang-n (n phases of rate λ, mean n/λ). As a
/// GI/M/1 queue its mean wait is σ / (μ(1 − σ)), σ the root in (0, 1) of
/// σ = A*(μ(1 − σ)) = (λ / (λ + μ(1 − σ)))ⁿ, found by bisection (the
/// difference is positive below the root and negative above it, up to the
/// trivial root 1). n = 1 is M/M/1: σ = ρ.
pub fn erlang_m1_mean_wait(n: u32, lambda: f64, mu: f64) -> f64 {
    let f = |s: f64| (lambda / (lambda + mu * (1.0 - s))).powi(n.max(1) as i32) - s;
    let (mut lo, mut hi) = (0.0, 1.0 - 1e-12);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let sigma = 0.5 * (lo + hi);
    sigma / (mu * (1.0 - sigma))
}

#[cfg(test)]
mod tests {

    /// Erlang's M/D/1 waiting-time distribution: no wait with probability
    /// 1 − ρ, non-decreasing, and its mean (the integral of its tail) is
    /// Pollaczek–Khinchine's ρD / (2(1 − ρ)).
    #[test]
    fn md1_wait_distribution_has_the_pollaczek_khinchine_mean() {
        for (lambda, d) in [(0.5, 1.0), (80.0, 0.01), (0.7, 1.0)] {
            let rho: f64 = lambda * d;
            let cdf = |t: f64| md1_wait_cdf(lambda, d, t).expect("computable");
            assert!((cdf(0.0) - (1.0 - rho)).abs() < 1e-12);
            let step = d / 1000.0;
            let (mut mean, mut last, mut t) = (0.0, cdf(0.0), 0.0);
            while lambda * (t + step) <= 60.0 {
                let next = cdf(t + step);
                assert!(next >= last - 1e-6, "non-decreasing at {t}");
                mean += (1.0 - 0.5 * (last + next)) * step;
                last = next;
                t += step;
            }
            let pk = rho * d / (2.0 * (1.0 - rho));
            assert!((mean - pk).abs() < 1e-3 * pk.max(d), "λ {lambda}: {mean} vs {pk}");
        }
        // p99 sojourn at ρ = 0.5, D = 1 s: the wait's 0.99-quantile plus D.
        let p99 = md1_sojourn_quantile(0.5, 1.0, 0.99).expect("computable");
        assert!((md1_wait_cdf(0.5, 1.0, p99 - 1.0).expect("ok") - 0.99).abs() < 1e-6);
        assert!(md1_sojourn_quantile(1.2, 1.0, 0.99).is_none(), "overloaded");
        // Where the sum hands over to the tail, the two agree.
        for rho in [0.3, 0.6, 0.9] {
            let t = 10.0 / rho;
            let theta = md1_decay_rate(rho, 1.0).expect("a root");
            let tail = (1.0 - rho) / (rho * theta.exp() - 1.0) * (-theta * t).exp();
            let sum = 1.0 - md1_wait_cdf(rho, 1.0, t).expect("the sum");
            assert!((tail - sum).abs() < 1e-6, "ρ {rho}: tail {tail} vs sum {sum}");
        }
    }

    use super::*;

    #[test]
    fn patience_formulas_reduce_to_erlang_c_and_to_the_single_server_closed_form() {
        // Endless patience: P(wait) is Erlang C, nobody abandons.
        let (wait, abandon) = mmc_deterministic_patience(4, 600.0, 200.0, 1e3);
        assert!((wait - erlang_c(4, 3.0)).abs() < 1e-9, "{wait}");
        assert!(abandon.abs() < 1e-9, "{abandon}");
        // One server: (1−ρ)ρe^{−(μ−λ)τ}/(1 − ρ²e^{−(μ−λ)τ}).
        let (lambda, mu, tau) = (800.0, 1000.0, 0.004);
        let rho: f64 = lambda / mu;
        let decay = (-(mu - lambda) * tau).exp();
        let expected = (1.0 - rho) * rho * decay / (1.0 - rho * rho * decay);
        let (_, abandon) = mmc_deterministic_patience(1, lambda, mu, tau);
        assert!((abandon - expected).abs() < 1e-12, "{abandon} vs {expected}");
        // No patience at all: a loss system, Erlang B.
        let (wait, abandon) = mmc_deterministic_patience(3, 400.0, 200.0, 0.0);
        assert!((wait - erlang_b(3, 2.0)).abs() < 1e-12 && (abandon - wait).abs() < 1e-12);
        // Overload with patience: admitted throughput below cμ, a stable line.
        let (_, abandon) = mmc_deterministic_patience(4, 1000.0, 200.0, 0.01);
        assert!(1000.0 * (1.0 - abandon) < 800.0 && abandon > 0.2, "{abandon}");
    }

    #[test]
    fn textbook_values() {
        // M/M/1 at ρ = 0.5, μ = 1: W = 2, L = 1.
        assert!((mm1_mean_sojourn(0.5, 1.0) - 2.0).abs() < 1e-12);
        assert!((mm1_mean_in_system(0.5, 1.0) - 1.0).abs() < 1e-12);
        // Erlang C with c = 1 equals ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // Erlang C(2, a = 1) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // Erlang B(1, a) = a / (1 + a).
        assert!((erlang_b(1, 2.0) - 2.0 / 3.0).abs() < 1e-12);
        // M/D/1/1: one place, lost while busy: ρ / (1 + ρ).
        assert!((md1k_blocking(1.0, 2.0, 1) - 1.0 / 3.0).abs() < 1e-12);
        // A big M/D/1/K loses what exceeds the service rate: 1 − 1/ρ above
        // saturation, nearly nothing below it.
        assert!((md1k_blocking(2.0, 1.0, 40) - 0.5).abs() < 1e-6);
        assert!(md1k_blocking(0.5, 1.0, 40) < 1e-9);
        // Retries: three layers of three tries against a dead bottom send
        // 27 calls; one layer of two tries at p = 0.5 makes 1.5.
        assert!((nested_retry_load(1.0, &[3, 3, 3]) - 27.0).abs() < 1e-12);
        assert!((nested_retry_load(0.5, &[2]) - 1.5).abs() < 1e-12);
        assert!((budgeted_retry_load(0.1, 0.0, 100.0, 3) - 1.1).abs() < 1e-12);
        // Fan-out: all of 100 leaves slow 1 % of the time: 63 % slow.
        assert!((fan_out_slow_share(0.01, 100, 100) - (1.0 - 0.99f64.powi(100))).abs() < 1e-12);
        assert!((fan_out_slow_share(0.5, 2, 1) - 0.25).abs() < 1e-12);
        // A 1 s pause at λ = 100, μ = 125 (δ = 2 ms, P/δ = 500): the
        // fluid λP²/(2(1 − ρ)) = 250 s plus P/2; a 3 ms pause at δ = 2 ms:
        // 3 + 1 ms.
        assert!((pause_added_delay_dd1(100.0, 125.0, 1.0) - 250.5).abs() < 1e-9);
        assert!((pause_added_delay_dd1(100.0, 125.0, 0.003) - 0.004).abs() < 1e-12);
        assert_eq!(pause_added_delay_dd1(100.0, 125.0, 0.0), 0.0);
        // Health checks every 5 s, 2 s timeout, 3 failures: 14.5 s on
        // average; a run of 3 failures at p = ½ takes 14 trials, at p = 1 three.
        assert!((health_check_detection_mean(5.0, 2.0, 3) - 14.5).abs() < 1e-12);
        assert!((health_check_recovery_mean(2.0, 0.0, 2) - 3.0).abs() < 1e-12);
        assert!((requests_to_a_dead_target(200.0, 2, 5.5) - 550.0).abs() < 1e-9);
        assert!((requests_until_ejection(0.5, 3) - 14.0).abs() < 1e-12);
        assert!((requests_until_ejection(1.0, 5) - 5.0).abs() < 1e-12);
        assert!((requests_until_ejection(0.5, 1) - 2.0).abs() < 1e-12);
        // E_1/M/1 is M/M/1: W_q = ρ/(μ − λ); spreading arrivals evenly
        // (round robin over 3) waits less than Poisson arrivals at the same load.
        assert!((erlang_m1_mean_wait(1, 0.5, 1.0) - 1.0).abs() < 1e-9);
        assert!(erlang_m1_mean_wait(3, 1.5, 1.0) < 1.0);
        // MVA with one station and no think time: X = 1/D for any N ≥ 1.
        let (x, _) = mva(5, &[0.1], 0.0);
        assert!((x - 10.0).abs() < 1e-9);
    }

    #[test]
    fn the_mmc_sojourn_tail_reduces_to_mm1_and_matches_its_mean() {
        // c = 1: the sojourn is exponential with rate μ − λ.
        let (lambda, mu) = (80.0, 100.0);
        let t = 0.05;
        let tail = mmc_sojourn_tail(1, lambda, mu, t).expect("stable");
        assert!((tail - (-(mu - lambda) * t).exp()).abs() < 1e-12, "{tail}");
        let q = mmc_sojourn_quantile(1, lambda, mu, 0.99).expect("stable");
        assert!((q - mm1_sojourn_quantile(lambda, mu, 0.99)).abs() < 1e-9);
        // c = 4: the tail integrates to the mean sojourn.
        let (c, lambda) = (4, 350.0);
        let dt = 1e-5;
        let mean: f64 = (0..200_000)
            .map(|k| mmc_sojourn_tail(c, lambda, mu, (f64::from(k) + 0.5) * dt).expect("stable") * dt)
            .sum();
        assert!((mean - mmc_mean_sojourn(c, lambda, mu)).abs() < 1e-6, "{mean}");
        assert!((erlang_c_stable(c, lambda / mu).expect("stable") - erlang_c(c, lambda / mu)).abs() < 1e-12);
        assert_eq!(erlang_c_stable(4, 4.0), None, "overloaded");
    }
}

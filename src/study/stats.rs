//! Small statistics for studies of independent runs: Student's t quantile
//! for confidence intervals, the normal quantile it needs, the sample mean
//! and standard deviation, and MSER-5 for choosing a warm-up.
//!
//! Written here rather than taken from a crate: four short functions, each
//! checked against published values in the tests below.

/// Two-sided 95 % quantiles of Student's t, `t(0.975, df)` for df = 1..=30
/// (standard tables, 7 significant digits). Exact values where the
/// approximation below is least accurate, and what nearly every study uses.
const T_975: [f64; 30] = [
    12.706_205, 4.302_653, 3.182_446, 2.776_445, 2.570_582, 2.446_912, 2.364_624, 2.306_004, 2.262_157, 2.228_139,
    2.200_985, 2.178_813, 2.160_369, 2.144_787, 2.131_450, 2.119_905, 2.109_816, 2.100_922, 2.093_024, 2.085_963,
    2.079_614, 2.073_873, 2.068_658, 2.063_899, 2.059_539, 2.055_529, 2.051_831, 2.048_407, 2.045_230, 2.042_272,
];

/// The quantile `p` (0 < p < 1) of Student's t distribution with `df` ≥ 1
/// degrees of freedom: `P(T ≤ t) = p`.
///
/// `p = 0.975` with df ≤ 30 reads the table; df 1 and 2 have closed forms
/// (Cauchy, and `(2p−1)/√(2p(1−p))`); every other case uses Hill's
/// approximation (G. W. Hill, "Algorithm 396: Student's t-quantiles",
/// CACM 13(10), 1970), an inverse Cornish–Fisher expansion about the
/// normal quantile with a correction for small df; its error is below
/// 1e-4 relative from df = 3 on (the tests compare it with the table).
pub fn t_quantile(p: f64, df: u32) -> f64 {
    if p.is_nan() || df == 0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.975
        && let Some(&t) = T_975.get(df as usize - 1)
    {
        return t;
    }
    match df {
        1 => (std::f64::consts::PI * (p - 0.5)).tan(),
        2 => (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt(),
        _ => hill(2.0 * (1.0 - p), f64::from(df)),
    }
}

/// Hill's algorithm 396 for the upper quantile whose two-tailed
/// probability is `two_tailed` (0.05 for t(0.975)), `n` degrees of freedom
/// (n ≥ 3 here; R's `qt` uses the same steps).
fn hill(two_tailed: f64, n: f64) -> f64 {
    let half_pi = std::f64::consts::FRAC_PI_2;
    let a = 1.0 / (n - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20_700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * half_pi).sqrt() * n;
    let mut y = (d * two_tailed).powf(2.0 / n);
    if y > 0.05 + a {
        // Far enough in the body: expand about the normal quantile.
        let x = normal_quantile(0.5 * two_tailed);
        y = x * x;
        if n < 5.0 {
            c += 0.3 * (n - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = (a * y * y).exp_m1();
    } else {
        // Far in the tail: the asymptotic series in the tail probability.
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0) + 0.5 / (n + 4.0)) * y - 1.0)
            * (n + 1.0)
            / (n + 2.0)
            + 1.0 / y;
    }
    (n * y).sqrt()
}

/// The quantile `p` (0 < p < 1) of the standard normal distribution, by
/// Acklam's rational approximation (relative error below 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const LOW: f64 = 0.024_25;
    if p.is_nan() || p <= 0.0 {
        return if p == 0.0 { f64::NEG_INFINITY } else { f64::NAN };
    }
    if p >= 1.0 {
        return if p == 1.0 { f64::INFINITY } else { f64::NAN };
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Sample mean and standard deviation (the n − 1 estimator; 0 for fewer
/// than two values).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Observations per batch in MSER-5.
pub const MSER_BATCH: usize = 5;

/// MSER-5 (White, 1997; Franklin and White, 2008): how many of the first
/// `observations` to discard as warm-up.
///
/// The observations are grouped in batches of [`MSER_BATCH`] consecutive
/// values (a trailing partial batch is left out), and for each candidate
/// truncation `d` (in batches) the statistic
/// `MSER(d) = Σ_{j>d} (Y_j − Ȳ_d)² / (k − d)²` is computed over the `k`
/// batch means `Y_j` left, `Ȳ_d` their mean; the `d` with the smallest
/// statistic wins (the earliest among equals). Only `d` up to `k / 2` is
/// considered: near the end the statistic is computed over a handful of
/// batches and falls for no reason. Returns `d × 5` observations, or
/// `None` when there are fewer than 4 batches (too few to tell a transient
/// from noise).
pub fn mser5(observations: &[f64]) -> Option<usize> {
    let batches: Vec<f64> =
        observations.chunks_exact(MSER_BATCH).map(|b| b.iter().sum::<f64>() / MSER_BATCH as f64).collect();
    let k = batches.len();
    if k < 4 {
        return None;
    }
    // Suffix sums make each candidate O(1): Σ(Y − Ȳ)² = ΣY² − (ΣY)²/m.
    let mut best = (0, f64::INFINITY);
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut stats = vec![0.0; k];
    for d in (0..k).rev() {
        sum += batches[d];
        sum_sq += batches[d] * batches[d];
        let m = (k - d) as f64;
        stats[d] = (sum_sq - sum * sum / m).max(0.0) / (m * m);
    }
    for (d, &stat) in stats.iter().enumerate().take(k / 2 + 1) {
        if stat < best.1 {
            best = (d, stat);
        }
    }
    Some(best.0 * MSER_BATCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        assert!(close(t_quantile(0.975, 1), 12.706, 5e-4));
        assert!(close(t_quantile(0.975, 4), 2.776, 5e-4));
        assert!(close(t_quantile(0.975, 29), 2.045, 5e-4));
        assert!(close(t_quantile(0.025, 9), -2.262, 5e-4));
        // Past the table: t(0.975, 60) = 2.0003, t(0.975, 120) = 1.9799.
        assert!(close(t_quantile(0.975, 60), 2.000_298, 1e-4));
        assert!(close(t_quantile(0.975, 120), 1.979_930, 1e-4));
        // Other levels: t(0.95, 10) = 1.8125, t(0.995, 5) = 4.0321, t(0.9, 1) = 3.0777.
        assert!(close(t_quantile(0.95, 10), 1.812_461, 1e-4));
        assert!(close(t_quantile(0.995, 5), 4.032_143, 1e-3));
        assert!(close(t_quantile(0.9, 1), 3.077_684, 1e-5));
        assert!(close(t_quantile(0.975, 2), 4.302_653, 1e-5));
        assert!(t_quantile(0.975, 0).is_nan());
    }

    #[test]
    fn hills_approximation_agrees_with_the_table() {
        for df in 3..=30 {
            let table = T_975[df as usize - 1];
            let hill = hill(0.05, f64::from(df));
            assert!(close(hill, table, 1e-4 * table), "df {df}: Hill {hill}, table {table}");
        }
    }

    #[test]
    fn normal_quantiles_match_the_tables() {
        assert!(close(normal_quantile(0.975), 1.959_964, 1e-6));
        assert!(close(normal_quantile(0.5), 0.0, 1e-12));
        assert!(close(normal_quantile(0.01), -2.326_348, 1e-6));
        assert!(close(normal_quantile(0.999), 3.090_232, 1e-6));
    }

    #[test]
    fn mean_and_sd_use_n_minus_one() {
        let (m, s) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert!(close(m, 5.0, 1e-12));
        assert!(close(s, (32.0_f64 / 7.0).sqrt(), 1e-12));
        assert_eq!(mean_sd(&[3.0]), (3.0, 0.0));
    }

    #[test]
    fn mser5_cuts_an_initial_transient() {
        // 20 observations climbing from 0 to 10, then 180 around 10.
        let mut series: Vec<f64> = (0..20).map(|i| f64::from(i) / 2.0).collect();
        series.extend((0..180).map(|i| 10.0 + if i % 2 == 0 { 0.3 } else { -0.3 }));
        let cut = mser5(&series).expect("enough batches");
        assert_eq!(cut % MSER_BATCH, 0);
        assert!((20..=30).contains(&cut), "cut {cut}");
        // A stationary series keeps nearly everything.
        let flat: Vec<f64> = (0..200).map(|i| if i % 3 == 0 { 1.0 } else { 1.2 }).collect();
        assert!(mser5(&flat).expect("enough") <= 10);
        assert_eq!(mser5(&[1.0; 19]), None);
    }
}

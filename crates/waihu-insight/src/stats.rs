//! The statistics behind the A/B comparison: the normal distribution (erfc
//! after W. J. Cody's rational approximation as in Numerical Recipes' `erfcc`,
//! relative error < 1.2e-7), Wilson score intervals, Newcombe's hybrid score
//! interval for a difference of proportions, the pooled two-proportion z test,
//! and Welch's interval for a difference of means (Student t quantile by the
//! Cornish-Fisher expansion; exact to ~1e-3 for df ≥ 3).

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Complementary error function.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Two-sided p-value of a standard normal statistic.
pub fn two_sided_p(z: f64) -> f64 {
    if z.is_finite() {
        erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Wilson score interval (95 %) of `x` successes in `n` trials; `(0, 1)` for n = 0.
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p, z2) = (n as f64, x as f64 / n as f64, Z95 * Z95);
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Newcombe's hybrid score interval (95 %) of p_b − p_a.
pub fn newcombe(xa: u64, na: u64, xb: u64, nb: u64) -> (f64, f64) {
    let pa = if na == 0 { 0.0 } else { xa as f64 / na as f64 };
    let pb = if nb == 0 { 0.0 } else { xb as f64 / nb as f64 };
    let (la, ua) = wilson(xa, na);
    let (lb, ub) = wilson(xb, nb);
    let d = pb - pa;
    let low = d - ((pb - lb).powi(2) + (ua - pa).powi(2)).sqrt();
    let high = d + ((ub - pb).powi(2) + (pa - la).powi(2)).sqrt();
    (low.max(-1.0), high.min(1.0))
}

/// Pooled two-proportion z test: two-sided p-value (1 when undefined).
pub fn two_proportion_p(xa: u64, na: u64, xb: u64, nb: u64) -> f64 {
    if na == 0 || nb == 0 {
        return 1.0;
    }
    let (na, nb) = (na as f64, nb as f64);
    let p = (xa + xb) as f64 / (na + nb);
    let se = (p * (1.0 - p) * (1.0 / na + 1.0 / nb)).sqrt();
    if se == 0.0 {
        return 1.0;
    }
    two_sided_p((xb as f64 / nb - xa as f64 / na) / se)
}

/// Upper 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: f64) -> f64 {
    if !df.is_finite() || df > 1e6 {
        return Z95;
    }
    let df = df.max(1.0);
    let z = Z95;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
}

/// Mean, sample variance and count of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// Values.
    pub n: u64,
    /// Mean (0 for none).
    pub mean: f64,
    /// Sample variance (n − 1 denominator; 0 below two values).
    pub var: f64,
}

impl Sample {
    /// Summarises values.
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n < 2 {
            0.0
        } else {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        };
        Self {
            n: n as u64,
            mean,
            var,
        }
    }
}

/// Welch's 95 % interval of mean_b − mean_a; `None` with fewer than two
/// values on a side. A zero standard error gives a zero-width interval.
pub fn welch(a: &Sample, b: &Sample) -> Option<(f64, f64)> {
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let (va, vb) = (a.var / a.n as f64, b.var / b.n as f64);
    let se = (va + vb).sqrt();
    let d = b.mean - a.mean;
    if se == 0.0 {
        return Some((d, d));
    }
    let df = (va + vb).powi(2) / (va.powi(2) / (a.n - 1) as f64 + vb.powi(2) / (b.n - 1) as f64);
    let h = t975(df) * se;
    Some((d - h, d + h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn normal_tail_matches_tables() {
        assert!(close(two_sided_p(Z95), 0.05, 1e-6));
        assert!(close(two_sided_p(0.0), 1.0, 1e-6));
        assert!(close(two_sided_p(-2.575_829), 0.01, 1e-6));
    }

    #[test]
    fn wilson_and_newcombe_match_published_examples() {
        // Newcombe (1998), example (a): 56/70 vs 48/80 → p1 − p2 = 0.2,
        // interval 0.0524 to 0.3339.
        let (l, h) = newcombe(48, 80, 56, 70);
        assert!(close(l, 0.0524, 5e-4) && close(h, 0.3339, 5e-4), "{l} {h}");
        let (l, h) = wilson(0, 10);
        assert!(close(l, 0.0, 1e-12) && close(h, 0.2775, 5e-4), "{l} {h}");
    }

    #[test]
    fn t_quantiles() {
        assert!(close(t975(10.0), 2.228, 2e-3), "{}", t975(10.0));
        assert!(close(t975(30.0), 2.042, 1e-3));
        assert!(close(t975(f64::INFINITY), Z95, 1e-12));
    }

    #[test]
    fn welch_interval_contains_the_difference() {
        let a = Sample::of(&[1.0, 2.0, 3.0, 4.0]);
        let b = Sample::of(&[3.0, 4.0, 5.0, 6.0]);
        let (l, h) = welch(&a, &b).unwrap();
        assert!(l < 2.0 && h > 2.0, "{l} {h}");
        assert!(
            close(h - 2.0, 2.447 * (5.0_f64 / 6.0).sqrt(), 2e-2),
            "{l} {h}"
        );
        assert_eq!(welch(&Sample::of(&[1.0]), &b), None);
        assert_eq!(two_proportion_p(0, 10, 0, 10), 1.0);
    }
}

/// Arc tangents fast enough for the visibility kernel: libm's `atan2` costs ~35 ns here,
/// twice per target-instant; this one is a few nanoseconds and within 2e-16 rad of it.
///
/// Method (Cephes `atan`, S. Moshier): reduce to t = min(|y|,|x|) / max(|y|,|x|) in [0, 1],
/// then to |u| ≤ 0.66 with atan t = π/4 + atan((t − 1)/(t + 1)), and evaluate
/// u + u z P(z)/Q(z), z = u², with Cephes' degree-4/5 rational minimax approximation.
@inline(__always)
func fastAtan2(_ y: Double, _ x: Double) -> Double {
    let ax = abs(x), ay = abs(y)
    let swapped = ay > ax
    let numerator = swapped ? ax : ay
    let denominator = swapped ? ay : ax
    guard denominator > 0 else { return 0 }
    var t = numerator / denominator
    var base = 0.0
    if t > 0.66 {
        base = .pi / 4
        t = (t - 1) / (t + 1)
    }
    let z = t * t
    let p = (((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z - 7.500855792314704667340e1) * z
        - 1.228866684490136173410e2) * z - 6.485021904942025371773e1
    let q = ((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z + 4.328810604912902668951e2) * z
        + 4.853903996359136964868e2) * z + 1.945506571482613964425e2
    var angle = base + t + t * z * p / q
    if swapped { angle = .pi / 2 - angle }
    if x < 0 { angle = .pi - angle }
    return y < 0 ? -angle : angle
}

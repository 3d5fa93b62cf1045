public import Foundation
public import StarlingCore

/// A target's night at a site: its rise, transit and set, its altitude from sunset to sunrise,
/// when it is observable under a set of constraints and, for the rest of the night, why not.
///
/// What `starling sky target` prints and the observability tool of `starling mcp` answers:
/// one computation, so the two cannot disagree. The night is the one that begins on a local
/// date at the site (``NightWindows``); the track is sampled every ``step`` from sunset to
/// sunrise (local noon to noon where the Sun neither sets nor rises) on ``VisibilityGrid``'s
/// fast path, and each sample is judged by ``ObservingLimits`` (the rule the planners, the
/// coordinator and the telescopes use) with no mount limit and no time window.
///
/// Altitudes are geometric (unrefracted) and topocentric; rise and set are the target's centre
/// crossing 0° geometric (``TargetPassage``), so near the horizon they differ from a refracted
/// horizon (about 0.57°, some 2–4 minutes at mid latitudes) by design.
///
/// ```swift
/// let visibility = try TargetVisibility(site: site, date: CalendarDate("2026-11-23")!, target: m31.coordinates)
/// visibility.passage.transit            // the meridian crossing, if tonight
/// visibility.observableHours            // 4.8
/// visibility.unobservableSpans.first    // darkness: "Sun at -9.41°, above the astronomical twilight limit -18.00°"
/// ```
public struct TargetVisibility: Sendable {
    /// The site.
    public let site: Site
    /// The night's Sun and Moon events.
    public let windows: NightWindows
    /// Rise, transit and set within the night (local noon to noon).
    public let passage: TargetPassage
    /// The constraints judged.
    public let constraints: ObservingConstraints
    /// The sample instants, sunset to sunrise, every ``step``.
    public let instants: [Date]
    /// The target's geometric altitude at each instant, degrees.
    public let altitudes: [Double]
    /// The Moon–target angle at each instant (topocentric), degrees.
    public let moonSeparations: [Double]
    /// Runs of observable samples (indices into ``instants``), in time order.
    public let observable: [Range<Int>]
    /// Runs of samples that break a constraint, each with the first constraint broken (in
    /// ``ObservingLimits/violation(_:)``'s order) and its reason at the run's first sample.
    public let unobservableSpans: [UnobservableSpan]

    /// The sampling step, seconds.
    public static let step: TimeInterval = 300

    /// A run of samples in which the target is not observable for one reason.
    public struct UnobservableSpan: Sendable, Hashable {
        /// The first and last sample of the run (indices into ``TargetVisibility/instants``).
        public let samples: ClosedRange<Int>
        /// The first and last sample's instant.
        public let start: Date
        public let end: Date
        /// The constraint broken throughout the run.
        public let kind: ConstraintViolation.Kind
        /// The reason at the run's first sample, with its numbers.
        public let reason: Reason
    }

    /// Computes a target's night.
    ///
    /// - Parameters:
    ///   - site: the site (its horizon mask counts).
    ///   - date: the local date the night begins on.
    ///   - target: the target's ICRS position.
    ///   - constraints: what "observable" means (Starling's defaults: astronomical night,
    ///     altitude ≥ 30°, airmass ≤ 2, Moon ≥ 20° away).
    /// - Throws: ``SkyError`` when ERFA cannot handle the dates.
    public init(site: Site, date: CalendarDate, target: EquatorialCoordinates, constraints: ObservingConstraints = ObservingConstraints()) throws(SkyError) {
        self.site = site
        self.constraints = constraints
        windows = try NightWindows.compute(site: site, date: date)
        let observer = Observer(site: site)
        passage = try TargetPassage.compute(target: target, observer: observer, interval: windows.window)
        let start = windows.sunset.date ?? windows.window.start
        let end = windows.sunrise.date ?? windows.window.end
        instants = stride(from: 0.0, through: end.timeIntervalSince(start), by: Self.step).map { start.addingTimeInterval($0) }
        let grid = try VisibilityGrid(observer: observer, targets: [target], instants: instants)
        altitudes = (0..<instants.count).map { grid.altitudeDegrees(target: 0, instant: $0) }
        moonSeparations = (0..<instants.count).map { grid.moonSeparationDegrees(target: 0, instant: $0) }
        let limits = ObservingLimits(constraints, horizon: site.horizonMask)
        observable = grid.observability(limits).windows(target: 0)
        unobservableSpans = Self.unobservableSpans(grid: grid, limits: limits)
    }

    /// The verdict of ``ObservingLimits/violation(_:)`` sample by sample, in runs of one
    /// constraint, each with the reason at its first sample.
    private static func unobservableSpans(grid: VisibilityGrid, limits: ObservingLimits) -> [UnobservableSpan] {
        let instants = grid.instants
        var spans: [UnobservableSpan] = []
        var run: (first: Int, violation: ConstraintViolation)?
        func close(at last: Int) {
            guard let open = run else { return }
            spans.append(UnobservableSpan(
                samples: open.first...last, start: instants[open.first], end: instants[last], kind: open.violation.kind, reason: open.violation.reason))
            run = nil
        }
        for index in instants.indices {
            let violation = limits.violation(ConstraintSample(grid: grid, target: 0, instant: index))
            if let open = run, open.violation.kind != violation?.kind { close(at: index - 1) }
            if run == nil, let violation { run = (index, violation) }
        }
        close(at: instants.count - 1)
        return spans
    }

    /// Hours observable, counting each observable sample as one ``step``.
    public var observableHours: Double { Double(observable.reduce(0) { $0 + $1.count }) * Self.step / 3600 }

    /// Each observable run from its first sample to the sample after its last (where it stops
    /// being observable), or to the last sample when it lasts until sunrise.
    public var observableIntervals: [(start: Date, end: Date)] {
        observable.map { (instants[$0.lowerBound], instants[min($0.upperBound, instants.count - 1)]) }
    }
}

import Foundation
import Sky
import StarlingCore

/// One request a telescope could carry out tonight, with everything the schedulers need:
/// when a block of its length may run (every constraint holds throughout), its merit on the
/// grid, and where it points.
struct Candidate: Sendable {
    let request: ObservationRequest
    /// Row of the target in the site's visibility grid.
    let row: Int
    /// Seconds the exposures take once pointed (``Overheads/blockSeconds(_:)``).
    let blockSeconds: Double
    /// Filters at the start and end of the block, as small integers (equal when equal).
    let firstFilter: Int
    let lastFilter: Int
    /// ICRS position, degrees (slews of equatorial mounts).
    let rightAscensionDegrees: Double
    let declinationDegrees: Double
    /// Maximal intervals, seconds from the grid start, in which a block may lie: every
    /// constraint holds throughout, and for ``ConstraintMargins/lateStartSeconds`` after the
    /// interval's end (a block that starts that late still fits).
    let intervals: [ClosedRange<Double>]
    /// Merit at each grid instant (0 where the target is not observable).
    let merit: [Double]
    /// The largest merit tonight.
    let bestMerit: Double

    /// The same candidate with its merit multiplied by a factor.
    func scaled(by factor: Double) -> Candidate {
        Candidate(
            request: request, row: row, blockSeconds: blockSeconds, firstFilter: firstFilter, lastFilter: lastFilter,
            rightAscensionDegrees: rightAscensionDegrees, declinationDegrees: declinationDegrees, intervals: intervals,
            merit: merit.map { $0 * factor }, bestMerit: bestMerit * factor)
    }

    /// Whether a block starting at `start` lies in one interval.
    func fits(at start: Double) -> Bool {
        intervals.contains { $0.lowerBound <= start && start + blockSeconds <= $0.upperBound }
    }
}

/// Builds candidates for one telescope from a site's night and a visibility grid.
struct CandidateBuilder {
    let night: SiteNight
    let grid: VisibilityGrid
    let telescope: Telescope
    let merit: MeritModel
    let overheads: Overheads
    let margins: ConstraintMargins
    /// Expected weather at each grid instant.
    let conditions: [ExpectedConditions]
    /// Filter names to small integers.
    var filterCodes: [String: Int] = [:]

    init(
        night: SiteNight, grid: VisibilityGrid, telescope: Telescope, merit: MeritModel, overheads: Overheads, margins: ConstraintMargins,
        forecast: any WeatherForecast
    ) {
        self.night = night
        self.grid = grid
        self.telescope = telescope
        self.merit = merit
        self.overheads = overheads
        self.margins = margins
        self.conditions = night.instants.map { forecast.expectedConditions(at: $0) }
    }

    private mutating func code(_ filter: Filter) -> Int {
        if let code = filterCodes[filter.name] { return code }
        let code = filterCodes.count
        filterCodes[filter.name] = code
        return code
    }

    /// The candidate for a request whose target is row `row` of the grid, or `nil` when no
    /// block of its length fits anywhere tonight (after `notBefore`, seconds from the grid start).
    mutating func candidate(for request: ObservationRequest, row: Int, lastVisit: Date?, notBefore: Double = 0) -> Candidate? {
        let count = night.instantCount
        guard count >= 2 else { return nil }
        let step = night.stepSeconds
        // The one observing rule (Sky's `ObservingLimits`), kept the margins inside its limits:
        // the grid is interpolated, and the plan must still hold at dispatch.
        let limits = ObservingLimits(request, telescope: telescope, site: night.site).tightened(by: margins)
        guard let dark = night.darkness(request.constraints.darkness) else { return nil }
        let block = overheads.blockSeconds(request)
        var lowest = max(notBefore, night.offset(dark.start) + margins.twilightSeconds)
        var highest = night.offset(dark.end) - margins.twilightSeconds
        if let window = request.window {
            lowest = max(lowest, night.offset(window.start) + margins.windowSeconds)
            highest = min(highest, night.offset(window.end) - margins.windowSeconds)
        }
        // A block must still fit if it starts `lateStartSeconds` late: it ends that much
        // before the end of every interval.
        let slack = margins.lateStartSeconds
        guard highest - lowest >= block + slack else { return nil }

        let minimumAltitude = limits.lowestAltitudeDegrees
        let minimumSeparation = limits.smallestMoonSeparationDegrees
        // Separations are compared as cosines (no trigonometry per instant).
        let largestSeparationCosine = cos(minimumSeparation * .pi / 180)
        let maskHighest = limits.highestMaskAltitudeDegrees
        let limitsMoonBrightness = limits.limitsMoonBrightness

        // Per instant: altitude and the checks that hold at an instant.
        let first = max(0, Int((lowest / step).rounded(.down)))
        let last = min(count - 1, Int((highest / step).rounded(.up)))
        guard last > first else { return nil }
        var intervals: [ClosedRange<Double>] = []
        var open: (start: Double, end: Double)?
        func close() {
            if let piece = open {
                let lower = max(piece.start, lowest), upper = min(piece.end, highest) - slack
                if upper - lower >= block { intervals.append(lower...upper) }
                open = nil
            }
        }
        func add(_ start: Double, _ end: Double) {
            if let piece = open, abs(piece.end - start) < 1e-9 { open = (piece.start, end) } else { close(); open = (start, end) }
        }
        // Cosine of the Moon separation at the start of the current step, computed once per instant.
        var separation0: Double?
        for k in first..<last {
            let a0 = grid.altitudeDegrees(target: row, instant: k), a1 = grid.altitudeDegrees(target: row, instant: k + 1)
            guard max(a0, a1) >= minimumAltitude else { close(); separation0 = nil; continue }
            // The Moon: far enough at both ends, and not too bright while up.
            if minimumSeparation > 0 {
                let c0 = separation0 ?? grid.moonSeparationCosine(target: row, instant: k)
                let c1 = grid.moonSeparationCosine(target: row, instant: k + 1)
                separation0 = c1
                guard max(c0, c1) <= largestSeparationCosine else { close(); continue }
            }
            if limitsMoonBrightness {
                let allowed = [k, k + 1].allSatisfy { index in
                    limits.moonBrightnessAllows(moonAltitudeDegrees: night.sky[index].moonAltitudeDegrees, moonIllumination: night.sky[index].moonIllumination)
                }
                guard allowed else { close(); continue }
            }
            // The part of the step above the altitude limit, by linear interpolation.
            let t0 = Double(k) * step
            var start = t0, end = t0 + step
            if a0 < minimumAltitude { start = t0 + step * (minimumAltitude - a0) / (a1 - a0) }
            if a1 < minimumAltitude { end = t0 + step * (a0 - minimumAltitude) / (a0 - a1) }
            // The horizon mask: the lowest altitude on the piece must clear the highest mask
            // point over the azimuths swept.
            let pieceLowest = max(min(a0, a1), minimumAltitude)
            if pieceLowest < maskHighest {
                let limit = Self.highestMask(
                    limits.horizon, from: grid.azimuthDegrees(target: row, instant: k), to: grid.azimuthDegrees(target: row, instant: k + 1))
                guard pieceLowest >= limit + margins.altitudeDegrees else { close(); continue }
            }
            add(start, end)
            if end < t0 + step { close() }
        }
        close()
        guard !intervals.isEmpty else { return nil }

        // Merit on the grid, where the target is observable.
        let base = merit.priorityWeight(request.priority)
            * merit.cadenceFactor(cadenceNights: request.target.cadenceNights, lastVisit: lastVisit, at: night.instants[0])
        var values = [Double](repeating: 0, count: count)
        var best = 0.0
        for interval in intervals {
            let lower = max(0, Int((interval.lowerBound / step).rounded(.down)))
            let upper = min(count - 1, Int((interval.upperBound / step).rounded(.up)))
            for k in lower...upper where values[k] == 0 {
                let altitude = grid.altitudeDegrees(target: row, instant: k)
                let sky = night.sky[k]
                var value = base * merit.urgencyFactor(request, at: night.instants[k]) * merit.airmassFactor(altitudeDegrees: max(altitude, 0.5))
                if merit.moonlightWeight != 0 {
                    value *= merit.skyFactor(
                        moonAltitudeDegrees: sky.moonAltitudeDegrees, moonIllumination: sky.moonIllumination,
                        moonSeparationDegrees: grid.moonSeparationDegrees(target: row, instant: k))
                }
                value *= merit.weatherFactor(conditions[k], altitudeDegrees: max(altitude, 0.5))
                values[k] = max(value, 1e-9)
                best = max(best, value)
            }
        }
        let filters = request.exposures.map(\.filter)
        return Candidate(
            request: request, row: row, blockSeconds: block, firstFilter: code(filters[0]), lastFilter: code(filters[filters.count - 1]),
            rightAscensionDegrees: request.target.coordinates.rightAscension.degrees,
            declinationDegrees: request.target.coordinates.declination.degrees, intervals: intervals, merit: values, bestMerit: best)
    }

    /// The highest horizon-mask altitude over the shorter azimuth arc between two azimuths.
    static func highestMask(_ mask: HorizonMask, from azimuth0: Double, to azimuth1: Double) -> Double {
        var highest = max(mask.minimumAltitudeDegrees(atAzimuthDegrees: azimuth0), mask.minimumAltitudeDegrees(atAzimuthDegrees: azimuth1))
        var low = azimuth0, span = azimuth1 - azimuth0
        if span > 180 { span -= 360 } else if span < -180 { span += 360 }
        if span < 0 { low = azimuth1; span = -span }
        for point in mask.points {
            var offset = point.azimuth.degrees - low
            if offset < 0 { offset += 360 }
            if offset <= span { highest = max(highest, point.altitude.degrees) }
        }
        return highest
    }
}

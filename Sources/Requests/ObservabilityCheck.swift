public import Foundation
import Sky
public import StarlingCore
import Synchronization

/// Whether a request can be observed at all: by some telescope of its class, at some site,
/// somewhere in its window, under its constraints, by Sky's ``Sky/ObservingLimits`` (the one
/// rule the planners, the coordinator and the telescopes use).
///
/// The sky of each site (Sun, Moon, sidereal time) is computed once per window and step and
/// shared by every request with that window, so a thousand requests of one campaign cost one
/// sky per site. Windows are sampled every 10 minutes (coarser for windows over a week, at most
/// 1,500 samples), and a run of observable samples must hold the whole block.
public final class ObservabilityCheck: Sendable {
    public let network: ObservatoryNetwork
    private let timelines = Mutex<[String: SkyTimeline]>([:])

    public static let finestStepSeconds: TimeInterval = 600
    public static let maximumSamples = 1_500

    public init(network: ObservatoryNetwork) {
        self.network = network
    }

    /// Why the request can never be observed, or `nil` when some telescope can.
    public func neverObservable(_ request: RequestGroup.Request) -> String? {
        let window = request.window
        let step = max(Self.finestStepSeconds, (window.duration / Double(Self.maximumSamples)).rounded(.up))
        let requested = request.requestedObservation(mode: .normal)
        let coordinates = request.target.coordinates(at: window.start)
        var telescopesOfClass = 0
        for site in network.sites {
            let telescopes = site.telescopes.filter(requested.fits)
            guard !telescopes.isEmpty else { continue }
            telescopesOfClass += telescopes.count
            guard let timeline = timeline(for: site, window: window, step: step) else { continue }
            let grid = VisibilityGrid(timeline: timeline, targets: [coordinates], threads: 1)
            for telescope in telescopes {
                let limits = ObservingLimits(request.constraints, window: window, mount: telescope.mount, horizon: site.horizonMask)
                let block = Overheads(telescope: telescope).blockSeconds(request.exposures)
                let neededSamples = max(1, Int((block / step).rounded(.up)))
                if grid.observability(limits).windows(target: 0).contains(where: { $0.count >= neededSamples }) { return nil }
            }
        }
        if telescopesOfClass == 0 {
            return "No \(request.telescopeClass) telescope has the filters \(Set(request.exposures.map(\.filter.name)).sorted().joined(separator: ", "))."
        }
        return "According to the constraints of the request, the target is never visible within the time window from any site "
            + String(format: "(airmass ≤ %.2f, Moon ≥ %.0f° away, Moon illumination ≤ %.2f, at night). ", request.constraints.maximumAirmass,
                request.constraints.minimumMoonSeparation.degrees, request.constraints.maximumMoonIllumination)
            + "Check that the target is in the night sky of some site during the window."
    }

    /// A site's sky over a window, built once and shared.
    private func timeline(for site: Site, window: DateInterval, step: TimeInterval) -> SkyTimeline? {
        let start = Date(timeIntervalSince1970: (window.start.timeIntervalSince1970 / step).rounded(.down) * step)
        let interval = DateInterval(start: start, end: max(start.addingTimeInterval(step), window.end))
        let key = "\(site.id)|\(start.timeIntervalSince1970)|\(interval.end.timeIntervalSince1970)|\(step)"
        if let cached = timelines.withLock({ $0[key] }) { return cached }
        guard let timeline = try? SkyTimeline(observer: Observer(site: site), instants: SkyTimeline.instants(covering: interval, step: step)) else {
            return nil
        }
        timelines.withLock { cache in
            if cache.count > 500 { cache.removeAll() }
            cache[key] = timeline
        }
        return timeline
    }
}

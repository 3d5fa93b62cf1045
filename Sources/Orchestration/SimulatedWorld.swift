import Coordination
import Foundation
import Logging
import Observatory
import StarlingCore

/// The simulated side of a scenario: each site's weather over the span and each telescope's
/// coupled simulator, rendering the catalog's galaxies and a seeded star field.
///
/// The weather covers the span with an hour before and two after, and is seeded by the
/// scenario alone, so a resumed run sees the same weather as the run it resumes.
struct SimulatedWorld: Sendable {
    let scenario: Scenario
    let timelines: [SiteID: WeatherTimeline]
    let renderer: SimulatedFrameRenderer
    let rendering: RenderingPolicy

    init(scenario: Scenario, sites: [Site], catalog: TargetCatalog, span: DateInterval, rendering: RenderingPolicy) {
        self.scenario = scenario
        self.rendering = rendering
        renderer = SimulatedFrameRenderer(galaxies: catalog.targets.compactMap(FieldGalaxy.init(target:)), starField: StarField(seed: scenario.seed))
        let weatherSpan = DateInterval(start: span.start.addingTimeInterval(-3600), end: span.end.addingTimeInterval(2 * 3600))
        var timelines: [SiteID: WeatherTimeline] = [:]
        for site in sites {
            timelines[site.id] = WeatherTimeline(site: site, scenario: scenario.weather, span: weatherSpan, seed: scenario.seed)
        }
        self.timelines = timelines
    }

    /// A telescope's simulated devices on `clock`, with the scenario's faults for it.
    func devices(for telescope: Telescope, at site: Site, clock: any UTCClock) -> TelescopeDevices {
        let simulated = SimulatedTelescope(
            telescope: telescope, site: site, clock: clock, weather: timelines[site.id], renderer: renderer,
            options: SimulatorOptions(rendering: rendering, seed: scenario.seed ^ StableHash.fnv1a(telescope.id.rawValue)))
        for fault in scenario.faults where fault.telescope == telescope.id { simulated.inject(DeviceFault(fault)) }
        return simulated.devices
    }

    /// Tells the coordinator each site's weather as its sensor reports it, whenever the weather
    /// model or the scenario changes it, until `end` (the coordinator decides where follow-ups
    /// can go).
    @discardableResult
    func feedWeather(to coordinator: some CommandReceiver<CoordinatorCommand>, on clock: any UTCClock, until end: Date) -> [Task<Void, Never>] {
        timelines.sorted(by: { $0.key < $1.key }).map { siteID, timeline in
            clock.spawn(named: "weather \(siteID)") {
                var last: WeatherSafety?
                while clock.currentDate < end {
                    let now = clock.currentDate
                    let safety = WeatherSafety.assess(timeline.sensorReading(at: now), limits: WeatherLimits(), at: now, graceSeconds: 600)
                    if safety != last {
                        coordinator.send(.weather(site: siteID, safety))
                        last = safety
                    }
                    guard let next = timeline.nextChange(after: now), next < end else { return }
                    do { try await clock.sleep(until: next) } catch { return }
                }
            }
        }
    }

    /// Delivers each of the scenario's alert files to the intake at its time; those due
    /// before the clock's current instant (a resumed run) at once: the intake recognises
    /// notices it already stored, so none is decided twice.
    @discardableResult
    func injectAlerts(into intake: AlertIntake, on clock: any UTCClock, logger: Logger) -> [Task<Void, Never>] {
        scenario.alerts.map { injection in
            clock.spawn(named: "alert \(injection.path)") {
                if injection.at > clock.currentDate {
                    do { try await clock.sleep(until: injection.at) } catch { return }
                }
                do {
                    let raw = try Data(contentsOf: URL(fileURLWithPath: injection.path))
                    let receipt = try await intake.submit(raw, transport: "scenario:\(URL(fileURLWithPath: injection.path).lastPathComponent)")
                    logger.notice("Alert delivered", metadata: ["alert.file": "\(injection.path)", "alert.id": "\(receipt.id)"])
                } catch {
                    logger.error("Could not deliver an alert", metadata: ["alert.file": "\(injection.path)", "error": "\(error)"])
                }
            }
        }
    }
}

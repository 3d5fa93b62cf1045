import ArgumentParser
import Foundation
import Imaging
import Logging
import Orchestration
import Persistence
import Planning
import Reporting
import Sky
import StarlingCore

extension Starling {
    /// `starling observe`: one observation through a telescope agent and the simulator.
    struct Observe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Observe one target with one simulated telescope through its TelescopeAgent, writing the FITS frames.",
            discussion: """
                Runs the telescope's agent over the coupled simulator on a simulation clock starting at \
                --at (default: the middle of the astronomical darkness of the night beginning on the \
                site's local date of now). The agent checks the request at dispatch, opens the enclosure \
                itself when the weather is safe and the Sun low enough, slews, exposes, writes each frame \
                under --out/<night>/<telescope>/, then closes and parks. Every frame is rendered with \
                pixels (stars, the catalog's galaxies, sky, clouds, noise, TAN WCS) and measured as \
                `starling fits qa` does. The request asks for Starling's default constraints: \
                astronomical night, altitude ≥ 30°, airmass ≤ 2, Moon ≥ 20° away. Exits 1 when the \
                observation did not complete (refused, aborted or failed), with the agent's reason.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: "The site id (optional: the telescope's id names its site; see `starling sites`).")
        var site: String?

        @Option(help: "The telescope id (see `starling sites`).")
        var telescope: String

        @OptionGroup var targetOptions: TargetOptions

        @Option(help: ArgumentHelp("Exposure time of each frame.", valueName: "SECONDS"))
        var exposure: Double

        @Option(help: "Number of frames.")
        var count: Int = 1

        @Option(help: "The filter, matched without regard to case when that is unambiguous (default: the survey's, the first of r, R, V, g, clear the telescope has).")
        var filter: String?

        @Option(help: ArgumentHelp("The simulated UTC instant to start at: ISO 8601 (2026-11-24T00:30:00Z) or 2026-11-24 00:30 (UTC).", valueName: "UTC"))
        var at: InstantArgument?

        @Option(help: ArgumentHelp("The folder the frames go to (<DIR>/<night>/<telescope>/<frame id>.fits; an existing file is never replaced).", valueName: "DIR"))
        var out: String

        @Option(help: ArgumentHelp("Also store the observation and the frames' measured quality in this SQLite store.", valueName: "PATH"))
        var db: String?

        @Option(help: "The weather: clear (always clear, the site's median seeing) or climate (the site's climate, random by --seed).")
        var weather: WeatherScenario.Model = .clear

        @Option(help: "Seed of the weather, the pixel noise and everything else random.")
        var seed: UInt64 = 1

        @Option(help: "Which devices: the simulator (on a simulated clock), or real ones through INDI or ASCOM Alpaca (on the wall clock).")
        var driver: DriverKind = .simulator

        @Option(help: ArgumentHelp("The INDI server, with --driver indi (device names: the INDI simulators').", valueName: "HOST:PORT"))
        var indi: String?

        @Option(help: ArgumentHelp("The Alpaca server, with --driver alpaca (device number 0 of each kind).", valueName: "HOST:PORT"))
        var alpaca: String?

        @Option(help: ArgumentHelp("Read only the central N×N pixels of the detector (a subframe; faster).", valueName: "N"))
        var window: Int?

        /// Where the devices come from.
        enum DriverKind: String, ExpressibleByArgument, CaseIterable {
            case simulator, indi, alpaca
        }

        func validate() throws {
            guard exposure.isFinite, exposure > 0 else { throw ValidationError("--exposure must be a positive number of seconds, e.g. --exposure 60") }
            guard count >= 1 else { throw ValidationError("--count must be at least 1") }
            switch driver {
            case .simulator:
                if indi != nil || alpaca != nil { throw ValidationError("--indi and --alpaca need --driver indi or --driver alpaca") }
            case .indi:
                guard let indi, Self.hostAndPort(indi) != nil else { throw ValidationError("--driver indi needs --indi HOST:PORT, e.g. --indi 127.0.0.1:7624") }
                if at != nil { throw ValidationError("--at is for the simulator; real devices run on the wall clock") }
            case .alpaca:
                guard let alpaca, Self.hostAndPort(alpaca) != nil else { throw ValidationError("--driver alpaca needs --alpaca HOST:PORT, e.g. --alpaca 127.0.0.1:11111") }
                if at != nil { throw ValidationError("--at is for the simulator; real devices run on the wall clock") }
            }
            if let window, window < 64 { throw ValidationError("--window \(window) is too small; give at least 64 pixels") }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let chosenSite = try site.map { name in try lookUp("--site") { () throws(UnknownNameError) in try network.site(named: name) } }
            let located = try lookUp("--telescope") { () throws(UnknownNameError) in try network.telescope(named: self.telescope, at: chosenSite) }
            let site = located.site
            var telescope = located.telescope
            var devices: ObservationHost.Devices?
            if driver != .simulator {
                // Real devices: the filters are the wheel's, by the names it reports.
                let (host, port) = Self.hostAndPort(driver == .indi ? indi! : alpaca!)!
                let configuration: DriverConfiguration = driver == .indi
                    ? .indi(INDIConfiguration(host: host, port: port)) : .alpaca(AlpacaConfiguration(host: host, port: port))
                do {
                    (telescope, devices) = try await ObservationHost.connectDevices(for: telescope.replacing(driver: configuration), at: site)
                } catch {
                    printError("--driver \(driver.rawValue): \(error)")
                    throw ExitCode(1)
                }
            }
            let chosenFilter = try filter.map { name in try lookUp("--filter") { () throws(UnknownNameError) in try telescope.filter(matching: name) } }
                ?? SurveyPolicy().filter(for: telescope)
            if let window {
                guard window <= telescope.camera.widthPixels, window <= telescope.camera.heightPixels else {
                    throw ValidationError("--window \(window) is larger than the detector (\(telescope.camera.widthPixels)×\(telescope.camera.heightPixels))")
                }
                telescope = telescope.withCameraWindow(window)
            }
            let target = try targetOptions.resolve(in: layout).target
            let start: Date
            if let at {
                start = at.date
            } else if driver != .simulator {
                start = Date()
            } else {
                start = try Self.middleOfComingNight(at: site, now: Date())
            }
            let galaxies: TargetCatalog? =
                layout.catalogNames.contains("nearby_galaxies")
                ? try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: "nearby_galaxies") } : nil
            var store: SQLiteStore?
            if let db {
                do throws(StoreError) { store = try SQLiteStore(path: db) } catch {
                    printError(error.description)
                    throw ExitCode(1)
                }
            }
            var logger = Logger(label: "starling.telescope")
            logger.logLevel = .error
            let request = ObservationRequest(
                id: RequestID("observe:\(target.id)"), target: target,
                exposures: [ExposureSpec(filter: chosenFilter, exposureSeconds: exposure, count: count)])
            let host = ObservationHost(site: site, telescope: telescope, request: request, framesDirectory: out, store: store, logger: logger)
            let result = await host.run(on: devices ?? .simulator(start: start, weather: weather, seed: seed, galaxies: galaxies))
            let measurer = FrameMeasurer(network: network)
            var frames: [MeasuredFrame] = []
            for record in result.observation?.frames ?? [] {
                let measured = MeasuredFrame(record: record, measurer: measurer, target: target.coordinates, at: result.ended)
                if let store, case .measured = measured.quality.status {
                    do { try await store.saveFrameQuality(measured.quality) } catch {
                        printError("\(db ?? ""): could not store the quality of \(record.id): \(error)")
                    }
                }
                frames.append(measured)
            }
            let driverLabel = driver == .simulator ? "simulator" : "\(driver.rawValue) \(driver == .indi ? indi! : alpaca!)"
            let document = ObserveDocument(
                site: site, telescope: telescope, target: target, filter: chosenFilter, exposureSeconds: exposure, count: count, start: start,
                weather: weather.rawValue, seed: seed, driver: driverLabel, result: result, frames: frames)
            if options.json {
                try printJSON(document)
            } else {
                print(document.text())
            }
            guard result.observation?.outcome == .completed else {
                printError("observation not completed: \(document.outcome)\(document.reason.map { ": \($0)" } ?? "")")
                throw ExitCode(1)
            }
        }

        /// `HOST:PORT` split, or `nil` when it is not one.
        static func hostAndPort(_ text: String) -> (String, Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
            let host = String(text[..<colon])
            return host.isEmpty ? nil : (host, port)
        }

        /// The middle of the astronomical darkness of the night beginning on the site's local
        /// date at `now` (the middle of the night window when the Sun never gets 18° low).
        static func middleOfComingNight(at site: Site, now: Date) throws -> Date {
            let windows: NightWindows
            do throws(SkyError) {
                windows = try NightWindows.compute(site: site, date: CalendarDate(now, in: site.timeZone))
            } catch {
                printError("cannot compute the night at \(site.id): \(error)")
                throw ExitCode(1)
            }
            let interval = windows.darkInterval(.astronomical) ?? windows.window
            return interval.start.addingTimeInterval(interval.duration / 2)
        }
    }
}

/// A written frame, measured as `starling fits qa` and the Reporter measure frames.
struct MeasuredFrame {
    let record: FrameRecord
    let quality: FrameQuality
    /// The WCS centre of the image, and its distance from the requested position.
    let centre: EquatorialCoordinates?
    let offsetArcseconds: Double?

    init(record: FrameRecord, measurer: FrameMeasurer, target: EquatorialCoordinates, at date: Date) {
        self.record = record
        quality = measurer.measure(record, at: date).quality
        var centre: EquatorialCoordinates?
        if let frame = try? FITSFrame(path: record.path), let wcs = try? frame.worldCoordinates() {
            centre = wcs.center(width: frame.image.width, height: frame.image.height)
        }
        self.centre = centre
        offsetArcseconds = centre.map { $0.separation(from: target).arcseconds }
    }
}

/// What `starling observe` prints: as JSON with `--json`, else as text.
struct ObserveDocument: Encodable {
    let site: String
    let telescope: String
    let target: String
    let ra_deg: Double
    let dec_deg: Double
    let filter: String
    let exposure_s: Double
    let count: Int
    let start_utc: String
    let weather: String
    let seed: UInt64
    /// `simulator`, `indi HOST:PORT` or `alpaca HOST:PORT`.
    let driver: String
    let outcome: String
    let reason_code: String?
    let reason: String?
    let observation_id: String?
    let observation_started_utc: String?
    let observation_ended_utc: String?
    let timeline: [State]
    let events: [Event]
    let frames: [Frame]

    struct State: Encodable {
        let utc: String
        let state: String
        let reason: String
    }

    /// Faults, recoveries and safety actions, in order.
    struct Event: Encodable {
        let utc: String
        let kind: String
        let device: String?
        let detail: String
    }

    struct Frame: Encodable {
        let path: String
        let frame_id: String
        let started_utc: String
        let exposure_s: Double
        let filter: String
        let airmass: Double?
        let measured: Bool
        let problem: String?
        let fwhm_arcsec: Double?
        let fwhm_px: Double?
        let background_adu: Double?
        let noise_adu: Double?
        let source_count: Int?
        let limiting_mag_5sigma: Double?
        let wcs_center_ra_deg: Double?
        let wcs_center_dec_deg: Double?
        let center_offset_arcsec: Double?
    }

    init(
        site: Site, telescope: Telescope, target: Target, filter: Filter, exposureSeconds: Double, count: Int, start: Date, weather: String,
        seed: UInt64, driver: String, result: ObservationHost.Result, frames: [MeasuredFrame]
    ) {
        func utc(_ date: Date) -> String { ISO8601.string(from: date, fractionalSeconds: false) }
        func rounded(_ value: Double?, _ scale: Double) -> Double? { value.map { ($0 * scale).rounded() / scale } }
        self.site = site.id.rawValue
        self.telescope = telescope.id.rawValue
        self.target = target.name
        ra_deg = rounded(target.coordinates.rightAscension.degrees, 1e6)!
        dec_deg = rounded(target.coordinates.declination.degrees, 1e6)!
        self.filter = filter.name
        exposure_s = exposureSeconds
        self.count = count
        start_utc = utc(start)
        self.weather = weather
        self.seed = seed
        self.driver = driver
        let observation = result.observation
        outcome = observation?.outcome.name ?? "unanswered"
        reason_code = observation?.outcome.reason?.code.rawValue
        reason = observation?.outcome.reason?.detail ?? (observation == nil ? "the agent did not answer the request" : nil)
        observation_id = observation?.id.rawValue
        observation_started_utc = observation.map { utc($0.started) }
        observation_ended_utc = observation.map { utc($0.ended) }
        var timeline: [State] = [], events: [Event] = []
        for event in result.events {
            switch event {
            case .stateChanged(_, _, let to, let at, let reason):
                timeline.append(State(utc: utc(at), state: to.rawValue, reason: reason))
            case .faultOccurred(_, let device, let reason, let at):
                events.append(Event(utc: utc(at), kind: "fault", device: device.rawValue, detail: reason.description))
            case .faultRecovered(_, let device, let at):
                events.append(Event(utc: utc(at), kind: "recovered", device: device.rawValue, detail: "\(device.rawValue) answers again"))
            case .safetyActionTaken(_, let action, let at):
                events.append(Event(utc: utc(at), kind: "safety", device: nil, detail: action))
            default:
                break
            }
        }
        self.timeline = timeline
        self.events = events
        self.frames = frames.map { frame in
            let quality = frame.quality
            var problem: String?
            switch quality.status {
            case .measured: problem = nil
            case .missing: problem = "the file is missing"
            case .corrupt(let why): problem = why
            }
            return Frame(
                path: frame.record.path, frame_id: frame.record.id.rawValue, started_utc: utc(frame.record.started),
                exposure_s: frame.record.exposureSeconds, filter: frame.record.filter.name, airmass: rounded(frame.record.airmass, 1000),
                measured: problem == nil, problem: problem, fwhm_arcsec: rounded(quality.fwhmArcseconds, 1000),
                fwhm_px: rounded(quality.fwhmPixels, 1000), background_adu: rounded(quality.backgroundADU, 100),
                noise_adu: rounded(quality.noiseADU, 1000), source_count: quality.sourceCount,
                limiting_mag_5sigma: rounded(quality.limitingMagnitude, 100),
                wcs_center_ra_deg: rounded(frame.centre?.rightAscension.degrees, 1e7), wcs_center_dec_deg: rounded(frame.centre?.declination.degrees, 1e7),
                center_offset_arcsec: rounded(frame.offsetArcseconds, 100))
        }
    }

    func text() -> String {
        func value(_ number: Double?, _ digits: Int, _ unit: String = "") -> String {
            number.map { String(format: "%.\(digits)f", $0) + unit } ?? "—"
        }
        var lines = [
            "\(target) with \(telescope) at \(site): \(filter), \(count) × \(formatExposure(exposure_s)) from \(start_utc) "
                + (driver == "simulator" ? "(simulated; weather \(weather), seed \(seed))" : "(real devices through \(driver), wall clock)"),
            "outcome: \(outcome)" + (reason.map { " (\(reason_code ?? "")): \($0)" } ?? ""),
            "",
            "timeline (UTC):",
        ]
        var table = TextTable(headers: ["time", "state", "reason"])
        for state in timeline { table.append([String(state.utc.dropFirst(11).prefix(8)), state.state, state.reason]) }
        lines.append(table.render())
        if !events.isEmpty {
            lines.append("")
            lines.append("events:")
            var eventTable = TextTable(headers: ["time", "event", "detail"])
            for event in events { eventTable.append([String(event.utc.dropFirst(11).prefix(8)), event.kind + (event.device.map { " " + $0 } ?? ""), event.detail]) }
            lines.append(eventTable.render())
        }
        if !frames.isEmpty {
            lines.append("")
            lines.append("frames:")
            var frameTable = TextTable(
                headers: ["path", "airmass", "FWHM″", "background ADU", "sources", "5σ limit", "centre offset″"], rightAligned: [1, 2, 3, 4, 5, 6])
            for frame in frames {
                frameTable.append([
                    frame.path, value(frame.airmass, 3), value(frame.fwhm_arcsec, 2), value(frame.background_adu, 1),
                    frame.source_count.map(String.init) ?? "—", value(frame.limiting_mag_5sigma, 2), value(frame.center_offset_arcsec, 2),
                ])
                if let problem = frame.problem { frameTable.append(["  not measured: \(problem)", "", "", "", "", "", ""]) }
            }
            lines.append(frameTable.render())
        }
        return lines.joined(separator: "\n")
    }

    private func formatExposure(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}

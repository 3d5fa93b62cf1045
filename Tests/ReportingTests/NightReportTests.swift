import Foundation
import Persistence
import Reporting
import StarlingCore
import StarlingTestSupport
import Testing

/// Reports of a short simulated night (see ``SimulatedNight``): what they count, what they
/// list, and that they read in a browser and validate against their schema.
struct NightReportTests {
    @Test func networkReportCountsPlannedAgainstDone() async throws {
        let report = try await BuiltNight.shared.get().network.report
        let totals = report.totals
        #expect(report.scope == .network && report.siteID == nil)
        #expect(totals.planned == 16)
        #expect(totals.completed == 9)
        #expect(totals.refused == 2)
        #expect(totals.aborted == 1)
        #expect(totals.failed == 1)
        #expect(totals.notAttempted == 2)
        #expect(totals.dropped == 1)
        #expect(totals.unplanned == 1)
        #expect(totals.telescopes == 3)
        #expect(totals.frames == 19)
        #expect(totals.framesMeasured == 16 && totals.framesModelled == 1 && totals.framesCorrupt == 1 && totals.framesMissing == 1)
        #expect(totals.framesUnmeasured == 0)

        var causes: [NightReport.Shortfall.Cause: Int] = [:]
        for shortfall in report.shortfalls { causes[shortfall.cause] = shortfall.count }
        #expect(causes == [.weather: 2, .staleTarget: 2, .interruption: 1, .fault: 1, .droppedAtReplan: 1])

        let entries = Dictionary(uniqueKeysWithValues: report.observations.map { ($0.requestID, $0) })
        #expect(entries["a3"]?.status == .refused && entries["a3"]?.reasonCode == "below-horizon")
        #expect(entries["a4"]?.status == .notAttempted && entries["a4"]?.cause == .weather)
        #expect(entries["a4"]?.reason?.contains("cloud") == true)
        #expect(entries["a5"]?.status == .dropped && entries["a5"]?.reason?.contains("M 33 dropped") == true)
        #expect(entries["b2"]?.status == .aborted && entries["b2"]?.cause == .interruption)
        #expect(entries["b3"]?.status == .failed && entries["b3"]?.cause == .fault)
        #expect(entries["s3"]?.cause == .staleTarget && entries["s3"]?.reasonCode == "airmass-too-high")
        let followUp = try #require(entries["fu-grb261123a-b"])
        #expect(!followUp.wasPlanned && followUp.kind == .followUp && followUp.frameCount == 3)
        #expect(entries["b1"]?.review?.decision == .approved)
    }

    @Test func hoursOpenComeFromTheJournalOrTheFrames() async throws {
        let built = try await BuiltNight.shared.get()
        let telescopes = Dictionary(uniqueKeysWithValues: built.network.report.telescopes.map { ($0.telescopeID, $0) })
        let a = try #require(telescopes["teide-1m-a"])
        #expect(a.openHoursSource == .journal)
        #expect(abs(a.openHours - built.night.teideAOpenHours) < 1e-6)
        #expect(a.openIntervals.count == 2)
        let b = try #require(telescopes["teide-1m-b"])
        #expect(b.faults == 1 && b.unrecoveredFaults == 0)
        let sutherland = try #require(telescopes["sutherland-1m-a"])
        #expect(sutherland.openHoursSource == .frames)
        #expect(sutherland.openHours > 1.4 && sutherland.openHours < 1.6)
        let teide = try #require(built.network.report.sites.first { $0.siteID == "teide" })
        #expect(abs(teide.darkHours - built.night.teideDark.duration / 3600) < 1e-9)
        #expect(teide.openFraction.map { $0 > 0.5 && $0 < 1 } == true)
    }

    @Test func framesCarryTheirMeasuredQualityAndTransparency() async throws {
        let built = try await BuiltNight.shared.get()
        for frame in built.network.report.frames {
            guard let rendered = built.night.renderedTransparency[frame.frameID], frame.quality.status == .measured else { continue }
            let transparency = try #require(frame.quality.transparency, "\(frame.frameID) has no transparency")
            #expect(abs(transparency - rendered) < 0.05, "\(frame.frameID): measured \(transparency), rendered at \(rendered)")
            let fwhm = try #require(frame.quality.fwhmArcseconds)
            #expect(fwhm > 1.5 && fwhm < 4.5)
            #expect(frame.quality.limitingMagnitude.map { $0 > 19 && $0 < 25 } == true)
        }
        let modelled = try #require(built.network.report.frames.first { $0.frameID == built.night.modelledFrame })
        #expect(modelled.quality.status == .modelled)
        #expect(modelled.quality.fwhmArcseconds == 1.67)
    }

    @Test func corruptAndMissingFramesAreListedNeverDropped() async throws {
        let built = try await BuiltNight.shared.get()
        let frames = Dictionary(uniqueKeysWithValues: built.teide.report.frames.map { ($0.frameID, $0) })
        let corrupt = try #require(frames[built.night.corruptFrame])
        #expect(corrupt.quality.status == .corrupt)
        #expect(corrupt.quality.problem?.isEmpty == false)
        #expect(frames[built.night.missingFrame]?.quality.status == .missing)
        let html = try String(contentsOfFile: built.teide.html, encoding: .utf8)
        let markdown = try String(contentsOfFile: built.teide.markdown, encoding: .utf8)
        for id in [built.night.corruptFrame, built.night.missingFrame] {
            #expect(html.contains(id.rawValue))
            #expect(markdown.contains(id.rawValue))
        }
        #expect(html.contains("Frames needing a look"))
        let attention = built.teide.report.suggestions.telescopes.filter { $0.telescopeID == "teide-1m-b" }.map(\.issue)
        #expect(attention.contains(.badFrames))
        #expect(attention.contains(.faults))
        #expect(attention.contains(.failedObservations))
    }

    @Test func followUpShowsItsDelaysAndDepth() async throws {
        let built = try await BuiltNight.shared.get()
        let grb = try #require(built.network.report.followUps.first { $0.eventID == "GRB 261123A" })
        #expect(grb.assignments.count == 1)
        let assignment = try #require(grb.assignments.first)
        #expect(assignment.telescopeID == "teide-1m-b" && assignment.state == .completed)
        #expect(assignment.firstFrameAt == built.night.followUpFirstFrame)
        #expect(abs((assignment.secondsFromAlertToFirstFrame ?? 0) - built.night.followUpFirstFrame.timeIntervalSince(built.night.alertReceived)) < 1e-6)
        #expect(abs((grb.secondsFromEventToFirstFrame ?? 0) - built.night.followUpFirstFrame.timeIntervalSince(built.night.grbEventTime)) < 1e-6)
        #expect(grb.frameCount == 3)
        let depth = try #require(grb.depth.first)
        #expect(depth.filter == "r" && depth.frames == 3)
        // Three similar frames stack about 1.25 log10(3) = 0.6 mag deeper than one.
        #expect(depth.combinedLimitingMagnitude > depth.deepestLimitingMagnitude + 0.5)
        #expect(depth.combinedLimitingMagnitude < depth.deepestLimitingMagnitude + 0.7)
        // The expired gravitational-wave follow-up is suggested for a retry; the GRB for its light curve.
        let suggestions = built.network.report.suggestions.followUps
        #expect(suggestions.contains { $0.eventID == "S261123ab" && $0.reason.contains("retry") })
        #expect(suggestions.contains { $0.eventID == "GRB 261123A" && $0.reason.contains("light curve") })
        // The ignored test notice is listed in the network report, not suggested.
        #expect(built.network.report.followUps.contains { $0.status == "ignored" })
        #expect(!suggestions.contains { $0.alertID.rawValue.contains("test-1") })
    }

    @Test func modelRankingAndReplansAreShown() async throws {
        let report = try await BuiltNight.shared.get().teide.report
        let ranking = try #require(report.rankings.first)
        #expect(ranking.telescopeID == "teide-1m-b" && ranking.model == "qwq-32b")
        #expect(ranking.reasoningTrace?.contains("M 77 is lowest") == true)
        #expect(ranking.entries.count == 6 && ranking.entries[0].reason.contains("M 77"))
        let planA = try #require(report.plans.first { $0.telescopeID == "teide-1m-a" })
        #expect(planA.version == 2 && planA.ranking == .deterministic && planA.notes.first?.contains("re-planned") == true)
        let html = try String(contentsOfFile: try await BuiltNight.shared.get().teide.html, encoding: .utf8)
        #expect(html.contains("The model's reasoning"))
    }

    @Test func surveyProgressAgainstCadence() async throws {
        let built = try await BuiltNight.shared.get()
        let survey = try #require(built.network.report.survey)
        #expect(survey.source == "test_survey")
        #expect(survey.targets == 17)
        // NGC 1023 was visited two nights ago (not due with a three-night cadence); the rest are due.
        #expect(survey.due == 16)
        #expect(survey.neverVisited == 15)
        // Visited tonight: NGC 1023, M 74, NGC 2403, M 77, field B, NGC 925, NGC 253, NGC 300, NGC 1097.
        #expect(survey.visited == 9)
        #expect(survey.dueVisited == 8)
        #expect(survey.dueObservable <= survey.due && survey.dueObservable >= survey.dueVisited)
        #expect(!survey.overdue.contains { $0.targetID == "m74" })
        // Centaurus A (RA 13h 25m, Dec −43°) stays below 30° in darkness at both sites in November.
        #expect(survey.overdue.first { $0.targetID == "ngc5128" }?.observableTonight == false)
        #expect(survey.overdue.first?.observableTonight == true)
        let suggested = built.network.report.suggestions.surveyFields
        #expect(!suggested.isEmpty && suggested.allSatisfy { !["ngc1023", "m74", "ngc253"].contains($0.targetID.rawValue) })
    }

    @Test func siteReportKeepsToItsSite() async throws {
        let report = try await BuiltNight.shared.get().teide.report
        #expect(report.scope == .site && report.siteID == "teide")
        #expect(report.sites.map(\.siteID) == ["teide"])
        #expect(Set(report.telescopes.map(\.telescopeID)) == ["teide-1m-a", "teide-1m-b"])
        #expect(report.frames.allSatisfy { $0.siteID == "teide" })
        #expect(report.totals.planned == 12)
        #expect(report.followUps.map(\.eventID) == ["GRB 261123A"])
        // The survey is the network's: Sutherland's visits count in Teide's report too.
        #expect(report.survey?.visited == 9)
        #expect(!report.suggestions.surveyFields.contains { $0.targetID == "ngc253" })
    }

    @Test func plotsAndThumbnailsAreWrittenAsPNG() async throws {
        let files = try await BuiltNight.shared.get().network
        #expect(Set(files.report.figures.map(\.id)) == ["image-quality", "timeline", "sky-map"])
        for path in files.figures + files.thumbnails {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(path) is not a PNG")
        }
        #expect(files.skippedThumbnails.isEmpty)
        #expect(files.report.thumbnails.count >= 4)
        #expect(files.report.thumbnails.first?.caption.contains("GRB 261123A") == true)
        #expect(files.report.thumbnails.contains { $0.frameID == "teide-1m-a-a1-f1" && $0.caption.contains("satellite trail") })
        #expect(files.report.thumbnails.allSatisfy { $0.width == 256 && $0.height == 256 })
    }

    @Test func embeddedImagesMakeTheHTMLOneFile() async throws {
        let built = try await BuiltNight.shared.get()
        let folder = try TemporaryDirectory()
        let files = try ReportWriter(options: .init(embedImagesInHTML: true)).write(built.teide.report, to: folder.path)
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        let embedded = html.components(separatedBy: "src=\"data:image/png;base64,").count - 1
        #expect(embedded == files.report.figures.count + files.report.thumbnails.count)
        #expect(!html.contains("src=\"plots/") && !html.contains("src=\"thumbnails/"))
    }

    @Test func jsonRoundTripsAndValidatesAgainstTheSchema() async throws {
        let built = try await BuiltNight.shared.get()
        let schema = try Data(contentsOf: URL(fileURLWithPath: TestOutput.packageRoot + "/docs/report-schema.json"))
        let validator = try JSONSchemaValidator(schemaData: schema)
        for files in [built.network, built.teide] {
            let data = try Data(contentsOf: URL(fileURLWithPath: files.json))
            let problems = validator.problems(in: try JSONSerialization.jsonObject(with: data))
            #expect(problems.isEmpty, "\(files.json): \(problems.prefix(10))")
            // Decoding and encoding again gives the same text (instants are kept to the millisecond).
            #expect(try NightReport.decode(jsonData: data).jsonData() == data)
            if let pythonProblems = try PythonJSONSchema.problems(instance: files.json, schema: TestOutput.packageRoot + "/docs/report-schema.json") {
                #expect(pythonProblems.isEmpty, "python jsonschema: \(pythonProblems)")
            }
        }
    }

    @Test(.enabled(if: Chromium.isAvailable, "Debian's chromium is not installed: the HTML report is not opened in a browser"))
    func htmlReportReadsInChromiumOnALaptopAndAPhone() async throws {
        let built = try await BuiltNight.shared.get()
        for (name, files) in [("network", built.network), ("teide", built.teide)] {
            let pages = try Chromium.inspect(file: files.html, viewports: [.laptop, .phone], screenshotPrefix: built.folder + "/screenshot-\(name)")
            for page in pages {
                #expect(page.errors.isEmpty, "\(name) on a \(page.viewport): \(page.errors)")
                // Three plots and every thumbnail, each decoded.
                #expect(page.images.count == files.report.figures.count + files.report.thumbnails.count)
                for image in page.images { #expect(image.naturalWidth > 0, "\(image.source) did not load on a \(page.viewport)") }
                // Nothing wider than the screen: wide tables scroll inside their own box.
                #expect(page.scrollWidth <= page.viewportWidth, "\(name) overflows sideways on a \(page.viewport): \(page.scrollWidth) > \(page.viewportWidth)")
                #expect(FileManager.default.fileExists(atPath: page.screenshot))
                print("screenshot:", page.screenshot)
            }
        }
    }
}

/// Validation with Python's `jsonschema` as a second opinion, when it is installed.
enum PythonJSONSchema {
    /// The problems `jsonschema` finds, or `nil` when Python or the package is missing.
    static func problems(instance: String, schema: String) throws -> [String]? {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("NO-JSONSCHEMA"); sys.exit(0)
            schema = json.load(open(sys.argv[1])); instance = json.load(open(sys.argv[2]))
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            for error in validator.iter_errors(instance):
                print("/".join(str(p) for p in error.absolute_path) + ": " + error.message[:300])
            """
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return nil }
        let output = Pipe()
        let child = try ChildProcess("/usr/bin/python3", arguments: ["-c", script, schema, instance], ceiling: .seconds(600), output: output)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.stop()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if lines.first == "NO-JSONSCHEMA" { return nil }
        return lines
    }
}

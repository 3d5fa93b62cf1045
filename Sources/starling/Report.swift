import ArgumentParser
import Coordination
import Foundation
import Persistence
import Reporting
import SkyMaps
import StarlingCore

extension Starling {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a night's report (HTML, Markdown, JSON, plots, thumbnails) from the store.",
            discussion: """
                Reads the night that begins on --date at each site (local noon to the next local noon): \
                plans, observations and their reasons, frames and their quality, the journal, alerts, \
                assignments and reviews. Frames with no stored quality are measured from their FITS files \
                first (a missing or unreadable file is recorded as such) unless --no-measure is given. \
                Writes report.html, report.md, report.json, plots/ and thumbnails/ into --out. \
                The JSON's schema is docs/report-schema.json; docs/reports.md says what each section shows. \
                Exits 1, writing nothing, when the store holds nothing for that night.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("The local date the night begins on at each site (the night of the 23rd: 2026-11-23).", valueName: "YYYY-MM-DD"))
        var date: DateArgument

        @Option(help: ArgumentHelp("One site (see `starling sites`); the whole network when left out.", valueName: "ID"))
        var site: String?

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("The folder to write the report into (created if needed).", valueName: "DIR"))
        var out: String

        @Option(help: ArgumentHelp("The survey catalog in catalogs/ to measure cadence against (default: the survey targets of the night's plans); also the galaxies of the sky-map coverage's 3-D probability.", valueName: "NAME"))
        var catalog: String?

        @Option(help: ArgumentHelp("A catalog in catalogs/ of stars with magnitudes to measure transparency against, e.g. landolt_standards.", valueName: "NAME"))
        var references: String?

        @Flag(help: "Do not measure frames that have no stored quality (they are listed as unmeasured).")
        var noMeasure = false

        @Flag(help: "Embed the plots and thumbnails in report.html as data URIs (one file to send), as well as writing them beside it.")
        var embedImages = false

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let chosenSite = try site.map { name in try lookUp("--site") { () throws(UnknownNameError) in try network.site(named: name) } }
            for name in [catalog, references].compactMap({ $0 }) where !layout.catalogNames.contains(name) {
                throw ValidationError("\(name == catalog ? "--catalog" : "--references"): \(UnknownNameError(kind: "catalog", name: name, scope: "in \(layout.catalogsDirectory)", known: layout.catalogNames))")
            }
            let survey = try catalog.map { name in try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) } }
            let stars = try references.map { name in
                ReferenceCatalog(catalog: try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) })
            }
            let night = date.date
            let spans = try (chosenSite.map { [$0] } ?? network.sites).map { try NightSpan.of($0, date: night) }
            let (start, end) = NightSpan.union(spans)!
            let nightText = "night of \(night) (\(NightSpan.minute(start)) – \(NightSpan.minute(end)) UTC\(chosenSite == nil ? ", all sites" : ""))"
            do {
                let location = try self.store.location
                let store = try await openStore(location)
                let measurer = noMeasure ? nil : FrameMeasurer(network: network, references: stars)
                // Sky maps come from the stored notices; the survey catalog is also the host-galaxy catalog (3-D).
                let skyMaps = SkyMapOptions(source: SkyMapLoader(reader: FITSSkyMapReader()), galaxies: survey?.targets ?? [])
                let builder = NightReportBuilder(
                    store: store, network: network, surveyCatalog: survey, options: .init(measurer: measurer, skyMaps: skyMaps))
                // The CLI is not an agent: the report's time is the wall clock's.
                let report = try await builder.build(night: night, site: chosenSite?.id, generatedAt: WallClock().currentDate)
                guard report.hasData else {
                    printError(
                        "\(location): nothing stored for the \(nightText)\(chosenSite.map { " at \($0.id)" } ?? ""): no plans, observations, frames, alerts or journal entries (--date is the local date the night began on); no report written")
                    throw ExitCode(1)
                }
                let files = try ReportWriter(options: .init(embedImagesInHTML: embedImages)).write(report, to: out)
                if options.json {
                    try printJSON(ReportDocument(files, start: start, end: end))
                    return
                }
                let totals = files.report.totals
                let scope = chosenSite.map { "Site \($0.id)" } ?? "Network"
                print(
                    "\(scope), \(nightText): \(totals.completed) of \(totals.planned) planned observations completed, "
                        + "\(totals.frames) frames (\(totals.framesCorrupt) corrupt, \(totals.framesMissing) missing)")
                print("report: \(files.html)")
                print("        \(files.markdown)")
                print("        \(files.json)")
                for skipped in files.skippedThumbnails { printError("thumbnail of \(skipped.frameID) not drawn: \(skipped.reason)") }
            } catch let error as StoreError {
                printError(error.description)
                throw ExitCode(1)
            } catch let error as ReportingError {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}

/// `starling report --json`: where the files went and the totals.
struct ReportDocument: Encodable {
    let night: String
    let night_start_utc: String
    let night_end_utc: String
    let html: String
    let markdown: String
    let json: String
    let figures: [String]
    let thumbnails: [String]
    let planned: Int
    let completed: Int
    let frames: Int
    let frames_corrupt: Int
    let frames_missing: Int

    init(_ files: ReportFiles, start: Date, end: Date) {
        night = files.report.night.description
        night_start_utc = ISO8601.string(from: start, fractionalSeconds: false)
        night_end_utc = ISO8601.string(from: end, fractionalSeconds: false)
        html = files.html
        markdown = files.markdown
        json = files.json
        figures = files.figures
        thumbnails = files.thumbnails
        planned = files.report.totals.planned
        completed = files.report.totals.completed
        frames = files.report.totals.frames
        frames_corrupt = files.report.totals.framesCorrupt
        frames_missing = files.report.totals.framesMissing
    }
}

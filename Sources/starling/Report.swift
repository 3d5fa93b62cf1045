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
                The JSON's schema is docs/report-schema.json; docs/reports.md says what each section shows.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("The local date the night begins on.", valueName: "YYYY-MM-DD"))
        var date: String

        @Option(help: ArgumentHelp("One site (see `starling sites`); the whole network when left out.", valueName: "ID"))
        var site: String?

        @Option(help: ArgumentHelp("The SQLite database to read.", valueName: "PATH"))
        var db = "starling.sqlite"

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

        func validate() throws {
            guard CalendarDate(date) != nil else { throw ValidationError("--date '\(date)' is not a YYYY-MM-DD date") }
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("--db \(db): no database there (give the file `starling` wrote, e.g. --db starling.sqlite)")
            }
        }

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let siteID = site.map { SiteID($0) }
            if let siteID, network.site(siteID) == nil {
                throw ValidationError("no site '\(siteID)' (known: \(network.sites.map(\.id.rawValue).joined(separator: ", ")))")
            }
            let survey = try catalog.map { name in try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) } }
            let stars = try references.map { name in
                ReferenceCatalog(catalog: try loadOrExit { () throws(ConfigErrors) in try layout.loadCatalog(named: name) })
            }
            guard let night = CalendarDate(date) else { throw ValidationError("--date '\(date)' is not a YYYY-MM-DD date") }
            do {
                let store = try SQLiteStore(path: db)
                let measurer = noMeasure ? nil : FrameMeasurer(network: network, references: stars)
                // Sky maps come from the stored notices; the survey catalog is also the host-galaxy catalog (3-D).
                let skyMaps = SkyMapOptions(source: SkyMapLoader(reader: FITSSkyMapReader()), galaxies: survey?.targets ?? [])
                let builder = NightReportBuilder(
                    store: store, network: network, surveyCatalog: survey, options: .init(measurer: measurer, skyMaps: skyMaps))
                // The CLI is not an agent: the report's time is the wall clock's.
                let report = try await builder.build(night: night, site: siteID, generatedAt: WallClock().currentDate)
                let files = try ReportWriter(options: .init(embedImagesInHTML: embedImages)).write(report, to: out)
                if options.json {
                    try printJSON(ReportDocument(files))
                    return
                }
                let totals = files.report.totals
                let scope = report.scope == .site ? "Site \(siteID?.rawValue ?? "")" : "Network"
                print(
                    "\(scope), night of \(night): \(totals.completed) of \(totals.planned) planned observations completed, "
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

    init(_ files: ReportFiles) {
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

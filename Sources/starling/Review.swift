import ArgumentParser
import Foundation
import Persistence
import Reporting
import StarlingCore

extension Starling {
    struct ReviewCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Approve or flag a frame (or an observation) with a note; later reports show it.",
            discussion: """
                Frame and observation ids are listed in the night report. Every review is kept; reports \
                show the latest one of each frame or observation. A flag needs a note saying what is \
                wrong. The reviewer is --reviewer, else $USER.
                """)

        @Argument(help: ArgumentHelp("The frame's id (or the observation's, with --observation).", valueName: "ID"))
        var id: String

        @Flag(help: "Approve it.")
        var approve = false

        @Option(help: ArgumentHelp("Flag it, saying what is wrong.", valueName: "NOTE"))
        var flag: String?

        @Option(help: ArgumentHelp("A note to go with an approval.", valueName: "TEXT"))
        var note: String?

        @Flag(help: "The id is an observation's, not a frame's.")
        var observation = false

        @Option(help: ArgumentHelp("Who is reviewing (default: $USER).", valueName: "NAME"))
        var reviewer: String?

        @Option(help: ArgumentHelp("The SQLite database.", valueName: "PATH"))
        var db = "starling.sqlite"

        func validate() throws {
            guard approve != (flag != nil) else { throw ValidationError("give exactly one of --approve or --flag \"what is wrong\"") }
            if let flag, flag.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--flag needs a note saying what is wrong, e.g. --flag \"satellite trail\"")
            }
            if flag != nil, note != nil { throw ValidationError("--note goes with --approve; a flag's note is its argument") }
            guard reviewerName != nil else { throw ValidationError("no reviewer: pass --reviewer NAME (or set $USER)") }
            guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("--db \(db): no database there") }
        }

        private var reviewerName: String? {
            let name = reviewer ?? ProcessInfo.processInfo.environment["USER"]
            return name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }

        func run() async throws {
            let subject: Review.Subject = observation ? .observation(ObservationID(id)) : .frame(FrameID(id))
            let decision: Review.Decision = approve ? .approved : .flagged
            do {
                let store = try SQLiteStore(path: db)
                let review = try await ReviewDesk(store: store).record(
                    decision, of: subject, note: flag ?? note ?? "", reviewer: reviewerName ?? "", at: WallClock().currentDate)
                let what = observation ? "observation" : "frame"
                print("\(review.decision.rawValue) \(what) \(id) as \(review.reviewer)" + (review.note.isEmpty ? "" : ": \(review.note)"))
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

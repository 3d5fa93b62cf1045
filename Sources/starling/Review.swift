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

        @OptionGroup var options: GlobalOptions

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

        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard approve != (flag != nil) else { throw ValidationError("give exactly one of --approve or --flag \"what is wrong\"") }
            if let flag, flag.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--flag needs a note saying what is wrong, e.g. --flag \"satellite trail\"")
            }
            if flag != nil, note != nil { throw ValidationError("--note goes with --approve; a flag's note is its argument") }
            guard reviewerName != nil else { throw ValidationError("no reviewer: pass --reviewer NAME (or set $USER)") }
        }

        private var reviewerName: String? {
            let name = reviewer ?? ProcessInfo.processInfo.environment["USER"]
            return name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }

        func run() async throws {
            let subject: Review.Subject = observation ? .observation(ObservationID(id)) : .frame(FrameID(id))
            let decision: Review.Decision = approve ? .approved : .flagged
            do {
                let store = try SQLiteStore(path: self.store.path)
                let review = try await ReviewDesk(store: store).record(
                    decision, of: subject, note: flag ?? note ?? "", reviewer: reviewerName ?? "", at: WallClock().currentDate)
                let what = observation ? "observation" : "frame"
                if options.json {
                    try printJSON(ReviewDocument(
                        subject: what, id: id, decision: review.decision.rawValue, reviewer: review.reviewer, note: review.note,
                        reviewed_utc: ISO8601.string(from: review.reviewedAt, fractionalSeconds: false), store: self.store.path))
                } else {
                    print("\(review.decision.rawValue) \(what) \(id) as \(review.reviewer)" + (review.note.isEmpty ? "" : ": \(review.note)"))
                }
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

/// `starling review --json`: the review as recorded.
struct ReviewDocument: Encodable {
    let subject: String
    let id: String
    let decision: String
    let reviewer: String
    let note: String
    let reviewed_utc: String
    let store: String
}

import Foundation
import Persistence
import StarlingCore
import Testing

@testable import Reporting

/// Reviews: the rules, the store, and later reports.
struct ReviewDeskTests {
    @Test func aReviewIsStoredAndShownInTheNextReport() async throws {
        let folder = try TemporaryDirectory()
        let night = try await SimulatedNight.make(in: folder.path)
        let desk = ReviewDesk(store: night.store)
        let frame: FrameID = "teide-1m-a-a2-f0"
        let builder = NightReportBuilder(store: night.store, network: night.network)
        let before = try await builder.build(night: night.night, site: "teide", generatedAt: night.reportTime)
        #expect(before.frames.first { $0.frameID == frame }?.review == nil)

        try await desk.record(.flagged, of: .frame(frame), note: "  thin cloud, star counts low  ", reviewer: "pi", at: night.reportTime)
        try await desk.record(.approved, of: .observation("obs-a6"), note: "", reviewer: "observer", at: night.reportTime.addingTimeInterval(60))
        let after = try await builder.build(night: night.night, site: "teide", generatedAt: night.reportTime.addingTimeInterval(120))
        let review = try #require(after.frames.first { $0.frameID == frame }?.review)
        #expect(review.decision == .flagged && review.note == "thin cloud, star counts low" && review.reviewer == "pi")
        #expect(after.observations.first { $0.observationID == "obs-a6" }?.review?.decision == .approved)
        #expect(after.reviews.count == before.reviews.count + 2)
        #expect(after.suggestions.telescopes.contains { $0.telescopeID == "teide-1m-a" && $0.issue == .flaggedFrames })

        // A later verdict replaces the earlier one in reports; both are kept in the store.
        try await desk.record(.approved, of: .frame(frame), note: "cloud was thin; fine for photometry", reviewer: "pi", at: night.reportTime.addingTimeInterval(180))
        let latest = try await builder.build(night: night.night, site: "teide", generatedAt: night.reportTime.addingTimeInterval(240))
        #expect(latest.frames.first { $0.frameID == frame }?.review?.decision == .approved)
        #expect(try await night.store.reviews(of: .frame(frame)).map(\.decision) == [.flagged, .approved])

        let files = try ReportWriter().write(latest, to: folder.path + "/report")
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        #expect(html.contains("cloud was thin; fine for photometry"))
    }

    @Test func aFlagNeedsANoteAndAReviewAReviewer() async throws {
        let store = try SQLiteStore.inMemory()
        let desk = ReviewDesk(store: store)
        let now = Date(timeIntervalSince1970: 1_795_500_000)
        await #expect { try await desk.record(.flagged, of: .frame("f"), note: "  ", reviewer: "pi", at: now) } throws: { error in
            (error as? ReportingError)?.code == .invalidReview
        }
        await #expect { try await desk.record(.approved, of: .frame("f"), note: "", reviewer: " ", at: now) } throws: { error in
            (error as? ReportingError)?.code == .invalidReview
        }
    }

    @Test func reviewingSomethingNotStoredIsRefused() async throws {
        let store = try SQLiteStore.inMemory()
        let desk = ReviewDesk(store: store)
        let now = Date(timeIntervalSince1970: 1_795_500_000)
        for subject in [Review.Subject.frame("no-such-frame"), .observation("no-such-observation")] {
            await #expect { try await desk.record(.approved, of: subject, note: "", reviewer: "pi", at: now) } throws: { error in
                (error as? ReportingError)?.code == .unknownSubject
            }
        }
        #expect(try await store.reviews(madeIn: DateInterval(start: now.addingTimeInterval(-1), duration: 10)).isEmpty)
    }
}

import Foundation
import Persistence
import StarlingCore
import Testing

@testable import Reporting

/// Text from outside (an alert's event id) in report.md is text, never markup (issue 16).
struct MarkdownEscapingTests {
    @Test func aFollowUpEventIDInAHeadingIsEscaped() async throws {
        let network = try ProjectLayout(root: TestOutput.packageRoot).loadNetwork()
        let store = try SQLiteStore.inMemory()
        var report = try await NightReportBuilder(store: store, network: network)
            .build(night: CalendarDate("2026-11-23")!, site: nil, generatedAt: Date(timeIntervalSince1970: 1_795_000_000))
        let hostile = "S230522n *bold* [x](http://e.org) <img src=x> `code` #tag\n# Not a heading &amp; ~~gone~~ | cell"
        report.followUps = [
            NightReport.FollowUp(
                alertID: "a1", eventID: hostile, mission: nil, noticeType: nil, alertKind: nil, serial: nil, isRetraction: false, eventTime: nil,
                receivedAt: nil, status: nil, note: nil, rightAscensionDegrees: nil, declinationDegrees: nil, errorRadiusDegrees: nil,
                assignments: [], firstFrameAt: nil, secondsFromAlertToFirstFrame: nil, secondsFromEventToFirstFrame: nil, frameCount: 0,
                depth: [])
        ]
        let markdown = MarkdownReport(report: report, frameTableLimit: 10).render()
        let heading = try #require(markdown.components(separatedBy: "\n").first { $0.hasPrefix("### S230522n") })
        #expect(
            heading
                == ##"### S230522n \*bold\* \[x\](http://e.org) \<img src=x\> \`code\` \#tag \# Not a heading \&amp; \~\~gone\~\~ \| cell"##)
        // The line break did not start a heading of its own.
        #expect(!markdown.contains("\n# Not a heading"))
    }
}

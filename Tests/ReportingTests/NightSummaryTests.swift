import Foundation
import Persistence
import StarlingCore
import Testing

@testable import Reporting

/// The rules the report's numbers come from: hours open, causes, depth, order statistics.
struct NightSummaryTests {
    let start = Date(timeIntervalSince1970: 1_795_460_000)
    func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }
    func change(_ minutes: Double, _ from: TelescopeState, _ to: TelescopeState) -> JournalEntry {
        .stateChange(telescope: "t", site: "s", from: from, to: to, at: at(minutes), reason: "")
    }

    @Test func openSpansFollowStateChangesAndFaultsKeepTheState() {
        let window = DateInterval(start: start, duration: 12 * 3600)
        let timeline = OpenTimeline(
            entries: [
                change(10, .closed, .opening), change(12, .opening, .idle), change(30, .idle, .slewing), change(31, .slewing, .exposing),
                change(40, .exposing, .fault),  // a fault does not close the dome
                change(50, .fault, .closing), change(52, .closing, .closed),
                change(100, .closed, .opening), change(101, .opening, .idle),
            ],
            window: window, until: at(160))
        #expect(timeline.intervals.count == 2)
        #expect(timeline.intervals[0] == DateInterval(start: at(12), end: at(50)))
        // Still open when the report is made: open until then.
        #expect(timeline.intervals[1] == DateInterval(start: at(101), end: at(160)))
        #expect(abs(timeline.hours - (38 + 59) / 60.0) < 1e-9)
        #expect(timeline.isOpen(at: at(45)) == true)
        #expect(timeline.isOpen(at: at(70)) == false)
        #expect(abs(timeline.hours(within: DateInterval(start: at(0), end: at(30))) - 18 / 60.0) < 1e-9)
    }

    @Test func aTelescopeOpenWhenTheWindowBeginsIsOpenFromItsStart() {
        let window = DateInterval(start: start, duration: 3600)
        let timeline = OpenTimeline(entries: [change(20, .exposing, .closing)], window: window, until: at(60))
        #expect(timeline.intervals == [DateInterval(start: start, end: at(20))])
        #expect(OpenTimeline(entries: [], window: window, until: at(60)).isOpen(at: at(5)) == nil)
    }

    @Test(arguments: [
        (Reason.Code.belowHorizon, NightReport.Shortfall.Cause.staleTarget), (.notDarkEnough, .staleTarget), (.outsideWindow, .staleTarget),
        (.weatherUnsafe, .weather), (.weatherUnknown, .weather), (.enclosureClosed, .closed), (.deviceTimeout, .fault),
        (.disconnected, .fault), (.preempted, .interruption), (.leaseExpired, .interruption), (.endOfNight, .endOfNight),
        (.unsupportedFilter, .invalidRequest),
    ])
    func reasonCodesMapToCauses(code: Reason.Code, cause: NightReport.Shortfall.Cause) {
        #expect(NightReport.Shortfall.Cause(code) == cause)
    }

    @Test func combinedDepthOfEqualFramesGainsByTheSquareRootOfTheirNumber() throws {
        // Four frames of equal depth: the noise halves, so 2.5 log10(2) = 0.753 mag deeper.
        let four = try #require(Statistics.combinedLimitingMagnitude([21, 21, 21, 21]))
        #expect(abs(four - (21 + 2.5 * log10(2.0))) < 1e-12)
        // A much shallower frame adds almost nothing.
        let mixed = try #require(Statistics.combinedLimitingMagnitude([22, 18]))
        #expect(mixed > 22 && mixed < 22.01)
        #expect(Statistics.combinedLimitingMagnitude([]) == nil)
    }

    @Test func percentilesInterpolateAndSkipNonFiniteValues() {
        #expect(Statistics.median([3, 1, 2, .nan]) == 2)
        #expect(Statistics.median([4, 1, 2, 3]) == 2.5)
        #expect(Statistics.percentile([0, 10], 25) == 2.5)
        #expect(Statistics.median([]) == nil)
    }

    @Test func instantsAreWrittenToTheMillisecondAndReadBack() throws {
        #expect(NightReport.instantText(Date(timeIntervalSince1970: 1_795_469_440)) == "2026-11-23T21:30:40Z")
        let fractional = Date(timeIntervalSince1970: 1_795_469_440.1254)
        let text = NightReport.instantText(fractional)
        #expect(text == "2026-11-23T21:30:40.125Z")
        let back = try #require(ISO8601.date(from: text))
        #expect(NightReport.instantText(back) == text)
    }
}

import Foundation
import Synchronization
import Testing

@testable import StarlingCore

/// A thread-safe log of (label, simulated seconds since start).
final class EventLog: Sendable {
    private let entries = Mutex<[(String, Double)]>([])
    func append(_ label: String, _ seconds: Double) { entries.withLock { $0.append((label, seconds)) } }
    var all: [(String, Double)] { entries.withLock { $0 } }
}

struct SimulationClockTests {
    let start = UTCInstant(secondsSince1970: 1_795_469_400)

    @Test func wakesSleepersInDeadlineOrderAtTheirDeadlines() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        for (label, delay) in [("c", 30.0), ("a", 10.0), ("b", 20.0)] {
            clock.spawn(named: label) {
                try? await clock.sleep(seconds: delay)
                log.append(label, clock.now.secondsSince1970 - 1_795_469_400)
            }
        }
        await clock.run(until: start.advanced(by: .seconds(60)))
        #expect(log.all.map(\.0) == ["a", "b", "c"])
        #expect(log.all.map(\.1) == [10, 20, 30])
        #expect(clock.now == start.advanced(by: .seconds(60)))
    }

    @Test func aTaskThatSleepsRepeatedlyAdvancesTimeStepByStep() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        clock.spawn(named: "ticker") {
            for tick in 1...5 {
                try? await clock.sleep(seconds: 60)
                log.append("tick\(tick)", clock.now.secondsSince1970 - 1_795_469_400)
            }
        }
        await clock.run(until: start.advanced(by: .seconds(3600)))
        #expect(log.all.map(\.1) == [60, 120, 180, 240, 300])
    }

    @Test func doesNotWakeSleepersDueAfterTheLimit() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        clock.spawn(named: "late") {
            try? await clock.sleep(seconds: 120)
            log.append("late", 0)
        }
        await clock.run(until: start.advanced(by: .seconds(60)))
        #expect(log.all.isEmpty)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(120)))
        await clock.run(until: start.advanced(by: .seconds(180)))
        #expect(log.all.count == 1)
    }

    @Test func equalDeadlinesWakeInTheOrderTheTasksSlept() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        // Each task goes to sleep in turn because only one spawned task runs at a time
        // once the clock starts waking them; the first sleeps are ordered by spawn order
        // through a staggered start.
        for index in 0..<5 {
            clock.spawn(named: "t\(index)") {
                try? await clock.sleep(seconds: Double(index))
                try? await clock.sleep(until: UTCInstant(secondsSince1970: 1_795_469_400 + 100))
                log.append("t\(index)", clock.now.secondsSince1970 - 1_795_469_400)
            }
        }
        await clock.run(until: start.advanced(by: .seconds(200)))
        #expect(log.all.map(\.0) == ["t0", "t1", "t2", "t3", "t4"])
    }

    @Test func cancellingASleeperEndsItsSleepAndTimeStillAdvances() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        let sleeper = clock.spawn(named: "sleeper") {
            do {
                try await clock.sleep(seconds: 1000)
                log.append("woke", 0)
            } catch {
                log.append("cancelled", clock.now.secondsSince1970 - 1_795_469_400)
            }
        }
        clock.spawn(named: "canceller") {
            try? await clock.sleep(seconds: 50)
            sleeper.cancel()
        }
        await clock.run(until: start.advanced(by: .seconds(2000)))
        #expect(log.all.map(\.0) == ["cancelled"])
        #expect(log.all.first?.1 == 50)
    }

    @Test func sleepingUntilThePastReturnsAtOnce() async throws {
        let clock = SimulationClock(start: start)
        try await clock.sleep(until: start.advanced(by: .seconds(-5)), tolerance: nil)
        #expect(clock.now == start)
    }

    @Test func aNightOfManyTasksIsTheSameEveryRun() async {
        func run() async -> [String] {
            let clock = SimulationClock(start: start)
            let log = EventLog()
            for telescope in 0..<20 {
                clock.spawn(named: "telescope\(telescope)") {
                    var rng = telescope &* 2_654_435_761 &+ 1
                    for step in 0..<50 {
                        rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        try? await clock.sleep(seconds: Double(abs(rng % 600)) + 1)
                        log.append("\(telescope):\(step)", clock.now.secondsSince1970)
                    }
                }
            }
            await clock.run(until: start.advanced(by: .seconds(86_400)))
            return log.all.map { "\($0.0)@\($0.1)" }
        }
        let first = await run()
        let second = await run()
        #expect(first.count == 1000)
        #expect(first == second)
    }
}

struct AlarmTests {
    let start = UTCInstant(secondsSince1970: 1_795_469_400)

    @Test func ringingWakesASleeperEarlyAtTheRingTime() async {
        let clock = SimulationClock(start: start)
        let alarm = Alarm()
        let log = EventLog()
        clock.spawn(named: "agent") {
            let reason = try? await clock.sleep(until: self.start.advanced(by: .seconds(3600)), orUntil: alarm)
            log.append(reason == .alarm ? "alarm" : "deadline", clock.now.secondsSince1970 - 1_795_469_400)
        }
        clock.spawn(named: "coordinator") {
            try? await clock.sleep(seconds: 90)
            alarm.ring()
        }
        await clock.run(until: start.advanced(by: .seconds(7200)))
        #expect(log.all.map(\.0) == ["alarm"])
        #expect(log.all.first?.1 == 90)
    }

    /// Regression (issue 17): a task waiting on an alarm for work in another task (a dome
    /// turning while the mount slews) was sometimes woken long after the ring: the waker was
    /// installed after the task counted as waiting, the other task could run and ring in
    /// between, and the clock moved on to later sleepers first (a 30-s dome turn kept a
    /// telescope 130 s). Many rounds of a wait on a helper, with later sleepers queued: the
    /// waiter wakes at the helper's ring every time.
    @Test func aRingFromAHelperWakesTheWaiterAtTheRingEveryTime() async {
        let clock = SimulationClock(start: start)
        let log = EventLog()
        clock.spawn(named: "waiter") {
            for round in 0..<3000 {
                let alarm = Alarm()
                let began = clock.now.secondsSince1970
                clock.spawn(named: "helper") {
                    try? await clock.sleep(seconds: 3)
                    alarm.ring()
                }
                // Another sleeper due later: a missed ring would let time jump to it.
                clock.spawn(named: "later") { try? await clock.sleep(seconds: 50) }
                _ = try? await clock.sleep(until: clock.now.advanced(by: .seconds(3600)), orUntil: alarm)
                log.append("round \(round)", clock.now.secondsSince1970 - began)
            }
        }
        await clock.run(until: start.advanced(by: .seconds(3000 * 60)))
        let late = log.all.filter { $0.1 != 3 }
        #expect(log.all.count == 3000)
        #expect(late.isEmpty, "\(late.count) rounds woke late, e.g. \(late.prefix(3))")
    }

    @Test func aRingBeforeSleepingIsNotLost() async throws {
        let clock = SimulationClock(start: start)
        let alarm = Alarm()
        alarm.ring()
        let reason = try await clock.sleep(until: start.advanced(by: .seconds(60)), orUntil: alarm)
        #expect(reason == .alarm)
        #expect(!alarm.isPending)
    }

    @Test func withoutARingTheDeadlineWins() async {
        let clock = SimulationClock(start: start)
        let alarm = Alarm()
        let log = EventLog()
        clock.spawn(named: "agent") {
            let reason = try? await clock.sleep(until: self.start.advanced(by: .seconds(600)), orUntil: alarm)
            log.append(reason == .alarm ? "alarm" : "deadline", clock.now.secondsSince1970 - 1_795_469_400)
        }
        await clock.run(until: start.advanced(by: .seconds(7200)))
        #expect(log.all.map(\.0) == ["deadline"])
        #expect(log.all.first?.1 == 600)
    }

    @Test func wallClockAlarmWakesAtOnce() async throws {
        let clock = WallClock()
        let alarm = Alarm()
        // Ring from a thread of its own: a busy test run may keep every concurrency thread busy.
        Thread.detachNewThread {
            usleep(20_000)
            alarm.ring()
        }
        let reason = try await clock.sleep(until: clock.now.advanced(by: .seconds(30)), orUntil: alarm)
        #expect(reason == .alarm)
        let quick = try await clock.sleep(until: clock.now.advanced(by: .milliseconds(10)), orUntil: alarm)
        #expect(quick == .deadline)
    }
}

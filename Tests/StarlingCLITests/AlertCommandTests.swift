import Foundation
import Persistence
import StarlingCore
import StarlingTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `starling alert parse` and `starling alert listen`, run as a user would.
@Suite(.serialized)
struct AlertCommandTests {
    static let packet = """
        <?xml version="1.0" encoding="UTF-8"?>
        <voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001" role="observation" version="2.0">
          <Who><Date>2024-03-01T10:00:30</Date></Who>
          <What><Param name="Packet_Type" value="61"/><Param name="Pkt_Ser_Num" value="2"/><Param name="TrigID" value="999999"/><Param name="Image_Signif" value="12.5"/></What>
          <WhereWhen><ObsDataLocation><ObservatoryLocation id="GEOLUN"/><ObservationLocation><AstroCoordSystem id="UTC-ICRS-GEO"/>
            <AstroCoords coord_system_id="UTC-ICRS-GEO"><Time unit="s"><TimeInstant><ISOTime>2024-03-01T10:00:01.25</ISOTime></TimeInstant></Time>
            <Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>150.0</C1><C2>-30.5</C2></Value2><Error2Radius>0.05</Error2Radius></Position2D>
            </AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>
        </voe:VOEvent>
        """

    /// An element name that is not UTF-8 (`<P\xc3ram/>`): once a SIGILL inside XMLParser.
    static let poison = Data(Array("<VOEvent><P".utf8) + [0xC3] + Array("ram/></VOEvent>".utf8))

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "starling-cli-alert-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func parsePrintsTheNormalisedAlert() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/bat.xml"
        try Self.packet.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["alert", "parse", file])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == """
            \(file): voevent-2.0 ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_999999-001
              event      Swift-999999 (Swift BAT_GRB_Pos, serial 2)
              kind       grb, role observation
              time       2024-03-01T10:00:01.250Z (issued 2024-03-01T10:00:30.000Z)
              position   RA 10:00:00.00 Dec -30:30:00.0 (150.00000, -30.50000)
              error      circle 0.0500° (90% containment)
              signif.    12.5 σ

            """)
    }

    /// What the notice's own flags say shows in the output: not followed, and why; a time to
    /// the precision given; the containment of the radius and the 90 % radius it implies.
    @Test func parseShowsWhyANoticeIsNotFollowed() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/lost-lock.xml"
        let packet = Self.packet
            .replacingOccurrences(of: "value=\"61\"", with: "value=\"111\"")
            .replacingOccurrences(of: "<ISOTime>2024-03-01T10:00:01.25</ISOTime>", with: "<ISOTime>2024-03-01T10:00:01.81</ISOTime>")
            .replacingOccurrences(of: "</What>", with: "<Param name=\"Most_Likely_Index\" value=\"8\"/><Param name=\"Most_Likely_Prob\" value=\"92\"/></What>")
        try packet.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["alert", "parse", file])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("  kind       other, role observation\n"))
        #expect(result.output.contains("  time       2024-03-01T10:00:01.810Z"))
        #expect(result.output.contains("  error      circle 0.0500° (68% containment); 90%: 0.0711°\n"))
        #expect(result.output.contains("  follow-up  NOT FOLLOWED: Fermi GBM classes the trigger SOLAR_FLARE (92 %): a solar flare, not a gamma-ray burst\n"))
    }

    @Test func parseRefusesPoisonWithTheReasonAndGoesOnToTheNextFile() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let poison = folder + "/poison.xml", good = folder + "/bat.xml"
        try Self.poison.write(to: URL(fileURLWithPath: poison))
        try Self.packet.write(toFile: good, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["alert", "parse", poison, good])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("\(poison): refused: byte 0xC3 at line 1, column 12 (offset 11) is not valid UTF-8; Starling reads notices in UTF-8\n"))
        #expect(result.output.contains("\(good): voevent-2.0"))
    }

    /// `validate` reads a scenario's alert files as notices, not only checks that they exist.
    @Test func validateRefusesAScenarioWhoseAlertFileIsNotANotice() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/alerts", withIntermediateDirectories: true)
        let scenario = try String(contentsOfFile: StarlingCLI.packageRoot + "/simulations/tonight.yaml", encoding: .utf8)
        let alerts = try #require(scenario.range(of: "alerts:\n"))
        let text = scenario[..<alerts.lowerBound] + "alerts:\n  - at: 2026-11-23T21:30:40Z\n    file: alerts/poison.xml\n"
        try text.write(toFile: folder + "/poisoned.yaml", atomically: true, encoding: .utf8)
        try Self.poison.write(to: URL(fileURLWithPath: folder + "/alerts/poison.xml"))
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("poison.xml") }.map { $0 + 1 } ?? 0
        let result = try await StarlingCLI.run(["validate", folder + "/poisoned.yaml"])
        #expect(result.status == 1)
        #expect(result.errors == """
            \(folder)/poisoned.yaml:\(line): alert file 'poison.xml' is not a notice Starling reads: byte 0xC3 at line 1, column 12 \
            (offset 11) is not valid UTF-8; Starling reads notices in UTF-8

            """)
    }

    @Test func refusedNoticesSayWhyAndExitOne() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = folder + "/bat.xml", bad = folder + "/bad.xml"
        try Self.packet.write(toFile: good, atomically: true, encoding: .utf8)
        try Self.packet.replacingOccurrences(of: "<C2>-30.5</C2>", with: "<C2>-130.5</C2>").write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try await StarlingCLI.run(["alert", "parse", "--json", good, bad])
        #expect(result.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let entries = try #require(document["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect((entries[0]["alert"] as? [String: Any])?["eventID"] as? String == "Swift-999999")
        #expect(entries[0]["has_position"] as? Bool == true)
        #expect((entries[1]["refused"] as? String)?.contains("Dec -130.5") == true || (entries[1]["refused"] as? String)?.contains("-130.5") == true)
        #expect(entries[1]["format"] as? String == "voevent-2.0")
    }

    @Test func listenNeedsExactlyOneSource() async throws {
        let result = try await StarlingCLI.run(["alert", "listen"])
        #expect(result.status == 64)
        #expect(result.errors.contains("give exactly one of --vtp HOST:PORT or --folder DIR"))
        let both = try await StarlingCLI.run(["alert", "listen", "--vtp", "localhost", "--folder", "/tmp"])
        #expect(both.status == 64)
    }

    @Test(.timeLimit(.minutes(20)))
    func listenTakesFilesInAndStopsOnInterrupt() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inbox = folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try Self.packet.write(toFile: inbox + "/bat.xml", atomically: true, encoding: .utf8)
        try "not a notice".write(toFile: inbox + "/junk.txt", atomically: true, encoding: .utf8)
        // The poison packet that once killed the process with SIGILL inside XMLParser.
        try Self.poison.write(to: URL(fileURLWithPath: inbox + "/poison.xml"))

        let errors = Pipe()
        let listener = try StarlingCLI.start(["alert", "listen", "--folder", inbox, "--db", folder + "/alerts.sqlite"], errors: errors)
        defer { listener.stop() }
        try await waitUntil("the three files are taken in") {
            ["refused/junk.txt", "refused/poison.xml", "refused/poison.xml.reason", "processed/bat.xml"].allSatisfy {
                FileManager.default.fileExists(atPath: inbox + "/" + $0)
            }
        }
        #expect(!listener.hasExited, "the listener must survive the poison file")
        let reason = try String(contentsOfFile: inbox + "/refused/poison.xml.reason", encoding: .utf8)
        #expect(reason.contains("is not valid UTF-8"))
        listener.signal(SIGINT)
        #expect(await listener.exitCode() == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("Alert accepted"))
        #expect(log.contains("Alert refused"))
        #expect(log.contains("Stopping"))
    }
}

/// Polls `condition` until it holds, or throws once `ceiling` has passed: a ceiling generous
/// enough for a busy machine, so the test fails only when the behaviour is wrong.
func waitUntil(_ what: String, ceiling: Duration = .seconds(900), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + ceiling
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimeout(description: "\(what): not within \(ceiling)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    let description: String
}

/// `starling alert listen` (intake and coordinator) killed with SIGKILL in the middle of a
/// burst of notices and restarted: every notice is stored exactly once and decided exactly
/// once (one decision and one journal line each), no file is lost or taken in twice.
///
/// The burst is 600 notices, enough for the kill to land mid-burst with notices on both sides
/// of it; `scripts/stress-alert-listen` runs the same check with 10,000
/// (`STARLING_STRESS_NOTICES`).
@Suite(.serialized)
struct AlertListenCrashTests {
    static let count = ProcessInfo.processInfo.environment["STARLING_STRESS_NOTICES"].flatMap { Int($0) } ?? 600

    static func notice(_ index: Int) -> String {
        let issued = 1_700_000_000 + index
        return """
            {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json", "mission": "Swift", \
            "instrument": "BAT-GUANO", "id": ["\(index)"], "record_number": 1, "trigger_time": "2023-11-14T22:13:20Z", \
            "alert_datetime": "\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(issued))))", "alert_type": "initial", \
            "ra": \(Double(index % 360)), "dec": \(Double(index % 170) - 85), "ra_dec_error": 0.05}
            """
    }

    func processedCount(_ inbox: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: inbox + "/processed")) ?? []).count
    }

    @Test(.timeLimit(.minutes(30)))
    func aKilledListenerLosesNothingAndRepeatsNothing() async throws {
        let folder = NSTemporaryDirectory() + "starling-cli-crash-" + UUID().uuidString
        let inbox = folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let count = Self.count
        for index in 0..<count {
            try Self.notice(index).write(toFile: inbox + "/n\(String(format: "%05d", index)).json", atomically: true, encoding: .utf8)
        }
        let db = folder + "/alerts.sqlite"
        let arguments = ["alert", "listen", "--folder", inbox, "--db", db]

        let first = try StarlingCLI.start(arguments)
        defer { first.stop() }
        // Killed early in the burst, watched from a thread of its own: the test pool's threads
        // are the whole suite's, and a poll on them can wait for seconds while the listener
        // takes in the rest.
        let taken: @Sendable () -> Int = { ((try? FileManager.default.contentsOfDirectory(atPath: inbox + "/processed")) ?? []).count }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(600)
                while taken() < count / 10, Date() < deadline { usleep(2_000) }
                first.signal(SIGKILL)  // mid-burst
                continuation.resume()
            }
        }
        _ = await first.exitCode()
        #expect(processedCount(inbox) < count, "the kill must land mid-burst")

        let second = try StarlingCLI.start(arguments)
        defer { second.stop() }
        try await waitUntil("the whole burst taken in") { processedCount(inbox) >= count }
        let store = try SQLiteStore(path: db)
        // The consumer marks each alert processed; wait until none is left.
        try await waitUntil("every alert decided") { try await store.unprocessedAlerts(limit: 10 * count).isEmpty }
        second.signal(SIGINT)
        #expect(await second.exitCode() == 0)

        let stored = try await store.alerts(receivedIn: DateInterval(start: .distantPast, end: .distantFuture))
        #expect(stored.count == count)
        #expect(Set(stored.map(\.id)).count == count)
        #expect(stored.allSatisfy { $0.status == .processed })
        #expect(processedCount(inbox) == count)
        // Exactly one decision per alert: the journal line is written in the decision's transaction.
        let decisions = try await store.journal(in: DateInterval(start: .distantPast, end: .distantFuture), site: nil).filter { $0.kind == .decision }
        #expect(decisions.count == count)
        #expect(Set(decisions.map(\.subject)) == Set(stored.map(\.id.rawValue)))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []).sorted() == ["processed", "refused"])
    }
}

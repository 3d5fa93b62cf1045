import Foundation
import Persistence
import StarlingCore
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

    @Test(.timeLimit(.minutes(2)))
    func listenTakesFilesInAndStopsOnInterrupt() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inbox = folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try Self.packet.write(toFile: inbox + "/bat.xml", atomically: true, encoding: .utf8)
        try "not a notice".write(toFile: inbox + "/junk.txt", atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: StarlingCLI.executable)
        process.arguments = ["alert", "listen", "--folder", inbox, "--db", folder + "/alerts.sqlite"]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: inbox + "/refused/junk.txt") || !FileManager.default.fileExists(atPath: inbox + "/processed/bat.xml") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(FileManager.default.fileExists(atPath: inbox + "/processed/bat.xml"))
        #expect(FileManager.default.fileExists(atPath: inbox + "/refused/junk.txt"))
        kill(process.processIdentifier, SIGINT)
        var status: Int32?
        for await code in exited.stream {
            status = code
            break
        }
        #expect(status == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("Alert accepted"))
        #expect(log.contains("Alert refused"))
        #expect(log.contains("Stopping"))
    }
}

/// `starling alert listen` (intake and coordinator) killed with SIGKILL in the middle of a
/// burst of 10,000 notices and restarted: every notice is stored exactly once and decided
/// exactly once (one decision and one journal line each), no file is lost or taken in twice.
@Suite(.serialized)
struct AlertListenCrashTests {
    static func notice(_ index: Int) -> String {
        let issued = 1_700_000_000 + index
        return """
            {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/swift/bat/Guano.schema.json", "mission": "Swift", \
            "instrument": "BAT-GUANO", "id": ["\(index)"], "record_number": 1, "trigger_time": "2023-11-14T22:13:20Z", \
            "alert_datetime": "\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(issued))))", "alert_type": "initial", \
            "ra": \(Double(index % 360)), "dec": \(Double(index % 170) - 85), "ra_dec_error": 0.05}
            """
    }

    func listen(_ inbox: String, _ db: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: StarlingCLI.executable)
        process.arguments = ["alert", "listen", "--folder", inbox, "--db", db]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func processedCount(_ inbox: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: inbox + "/processed")) ?? []).count
    }

    @Test(.timeLimit(.minutes(5)))
    func aKilledListenerLosesNothingAndRepeatsNothing() async throws {
        let folder = NSTemporaryDirectory() + "starling-cli-crash-" + UUID().uuidString
        let inbox = folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let count = 10_000
        for index in 0..<count {
            try Self.notice(index).write(toFile: inbox + "/n\(String(format: "%05d", index)).json", atomically: true, encoding: .utf8)
        }
        let db = folder + "/alerts.sqlite"

        let first = try listen(inbox, db)
        while processedCount(inbox) < count / 3 { try await Task.sleep(for: .milliseconds(100)) }
        kill(first.processIdentifier, SIGKILL)  // mid-burst
        while first.isRunning { try await Task.sleep(for: .milliseconds(10)) }

        let second = try listen(inbox, db)
        while processedCount(inbox) < count { try await Task.sleep(for: .milliseconds(250)) }
        let store = try SQLiteStore(path: db)
        // The consumer marks each alert processed; wait until none is left.
        var left = try await store.unprocessedAlerts(limit: 10 * count).count
        while left > 0 {
            try await Task.sleep(for: .milliseconds(50))
            left = try await store.unprocessedAlerts(limit: 10 * count).count
        }
        kill(second.processIdentifier, SIGINT)

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

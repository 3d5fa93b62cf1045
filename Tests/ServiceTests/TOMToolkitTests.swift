import Foundation
import StarlingCore
import Testing

/// TOM Toolkit from PyPI, unmodified, in the virtual environment `scripts/install-deps --test`
/// makes, and the client script that drives it (`TOM/tom_ocs_client.py`).
enum TOMToolkit {
    /// The virtual environment: `STARLING_TOM_VENV`, else `~/.cache/starling/tomtoolkit`, the
    /// path `scripts/install-deps --test` installs it at.
    static let environment = ProcessInfo.processInfo.environment["STARLING_TOM_VENV"] ?? NSHomeDirectory() + "/.cache/starling/tomtoolkit"
    static let python = environment + "/bin/python"
    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TOM/tom_ocs_client.py").path

    /// Why the TOM Toolkit test cannot run here (a sentence naming what to install), or `nil`.
    static let missing: String? = {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return "TOM Toolkit's virtual environment is not at \(environment); run scripts/install-deps --test"
        }
        // The check install-deps makes, so the two never disagree on what is installed.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "120", python, "-c", "import tom_observations"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "\(python) could not be started: \(error)" }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : "tomtoolkit does not import in \(environment); run scripts/install-deps --test"
    }()
}

/// A real OCS client no one here wrote: TOM Toolkit's own OCS facility, configured only with
/// `FACILITIES['OCS'] = {portal_url, archive_url, api_key}`, against `starling serve` on the
/// three-site scenario at 600× real time. Through TOM's observation form and facility code it
/// validates and submits an observation, follows it to COMPLETED, saves its frames as data
/// products, cancels a second one, is refused field by field for a window in the past and an
/// unknown filter, and reads the telescopes' states.
@Suite(.serialized, .enabled(if: TOMToolkit.missing == nil, Comment(rawValue: TOMToolkit.missing ?? "")))
struct TOMToolkitTests {
    // Ceilings only (the client's waits are for conditions): a busy machine runs the simulated
    // night far below 600x.
    @Test(.timeLimit(.minutes(30)))
    func tomToolkitSubmitsFollowsDownloadsAndCancelsObservationsThroughTheOCSPortal() async throws {
        let folder = try ServeTestPaths.temporaryDirectory("tom")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/starling.sqlite"
        let observer = try ServeTestPaths.token(role: "observer", store: store)

        // The client's target, M2, is 49° up at La Palma at 20:30 UTC on this night, when it is
        // dark there, and 90° from the Moon; every frame is rendered, so each data product is an image.
        let serve = try ServeProcess([
            ServeEndToEndTests.scenario, "--port", "0", "--clock", "simulated", "--speed", "600", "--store", "sqlite:" + store, "--out", folder + "/serve",
            "--render-every", "1", "--log-level", "notice",
        ], ceilingSeconds: 1700)
        defer { serve.kill() }
        let base = try await serve.baseURL()
        let network = try await APIClient(base: base, token: observer).get("/api/network")
        let sites = try #require(network.object["sites"] as? [[String: Any]], "no sites in /api/network: \(String(decoding: network.body, as: UTF8.self))")
        let siteIDs = sites.compactMap { $0["id"] as? String }
        let telescopeCount = sites.reduce(0) { $0 + (($1["telescopes"] as? [Any])?.count ?? 0) }

        let run = try await ScriptRun.run(
            TOMToolkit.python,
            ["-u", TOMToolkit.client, "--portal", base, "--token", observer, "--workdir", folder + "/tom", "--deadline-seconds", "1200", "--sites", siteIDs.joined(separator: ",")],
            ceiling: .seconds(1500))
        let result = run.result
        print("TOM Toolkit client:\n" + run.lines.dropLast().joined(separator: "\n"))
        try #require(
            run.status == 0 && result["ok"] as? Bool == true,
            """
            TOM Toolkit could not \(result["failed_step"] ?? "run"): \(result["error"] ?? "exit \(run.status)")
            status \(result["status"] ?? "none"), body \(result["body"] ?? "none")
            HTTP: \((result["http"] as? [String])?.suffix(6).joined(separator: "\n") ?? "")
            \(run.tail)
            """)

        // Validated at the portal with a duration, as TOM's form shows it.
        let validation = Self.object(result["validation"])
        #expect((Self.object(validation["request_durations"])["duration"] as? Double ?? 0) > 0, "\(validation)")
        #expect((validation["errors"] as? [String])?.isEmpty == true, "\(validation)")

        // The first observation completed within its window.
        let first = Self.object(result["first"])
        #expect(first["final_state"] as? String == "COMPLETED", "states seen: \(first["states"] ?? "none"); \(first)")
        let window = Self.object(result["window"])
        let windowStart = try #require((window["start"] as? String).flatMap(ISO8601.date(from:)))
        let windowEnd = try #require((window["end"] as? String).flatMap(ISO8601.date(from:)))
        let scheduledStart = try #require((first["scheduled_start"] as? String).flatMap(ISO8601.date(from:)), "no completed block in /observations/: \(first)")
        #expect(scheduledStart >= windowStart && scheduledStart <= windowEnd, "\(first) outside \(window)")

        // Its frames, saved by TOM as data products: FITS images Starling took of the target
        // with the filter and exposure asked for.
        let request = Self.object(result["request"])
        let exposureCount = try #require(request["exposure_count"] as? Int)
        let exposureTime = try #require(request["exposure_time"] as? Double)
        let filter = try #require(result["filter"] as? String)
        let target = Self.object(result["target"])
        let asked = try EquatorialCoordinates(rightAscensionDegrees: target["ra"] as? Double ?? .nan, declinationDegrees: target["dec"] as? Double ?? .nan)
        let products = (result["data_products"] as? [[String: Any]]) ?? []
        #expect(products.count >= exposureCount, "\(products.count) data products for \(exposureCount) exposures")
        var frameIDs: Set<String> = []
        for product in products {
            let name = product["filename"] as? String ?? "?"
            #expect(product["fits_signature"] as? Bool == true && product["fits"] as? Bool == true, "\(name) is not a FITS image: \(product)")
            #expect((product["naxis1"] as? Int ?? 0) > 0 && (product["naxis2"] as? Int ?? 0) > 0, "\(name): \(product)")
            let header = Self.object(product["header"])
            let frameID = try #require(header["STFRMID"] as? String, "\(name) has no Starling frame id: \(header)")
            frameIDs.insert(frameID)
            #expect(header["OBJECT"] as? String == target["name"] as? String, "\(name): \(header)")
            #expect(header["FILTER"] as? String == filter, "\(name): \(header)")
            #expect(abs((header["EXPTIME"] as? Double ?? 0) - exposureTime) < 0.01, "\(name): \(header)")
            let pointing = try EquatorialCoordinates(rightAscensionDegrees: header["RA"] as? Double ?? .nan, declinationDegrees: header["DEC"] as? Double ?? .nan)
            #expect(pointing.separation(from: asked).degrees < 0.5, "\(name) points at \(header["RA"] ?? "?"), \(header["DEC"] ?? "?")")
            let taken = try #require((header["DATE-OBS"] as? String).flatMap(ISO8601.date(from:)), "\(name): \(header)")
            #expect(taken >= windowStart && taken <= windowEnd, "\(name) taken at \(taken), outside \(window)")
        }
        #expect(frameIDs.count == products.count, "the same frame saved twice: \(products.map { $0["filename"] ?? "?" })")
        // The observation's page lists them all as saved; its "save selected" finds one by id.
        let listing = Self.object(result["all_data_products"])
        #expect(listing["saved"] as? Int == products.count && listing["unsaved"] as? Int == 0, "\(listing)")
        let saveOne = Self.object(result["save_one"])
        #expect(saveOne["returned"] as? [String] == [saveOne["product_id"] as? String ?? "?"], "saving one product (GET /frames/{id}/): \(saveOne)")

        // The second, cancelled while pending.
        let second = Self.object(result["second"])
        #expect(second["state_before_cancel"] as? String == "PENDING", "\(second)")
        #expect(second["cancel_result"] as? Bool == true, "\(second)")
        #expect(second["final_state"] as? String == "CANCELED", "\(second)")

        // Refused field by field: a window in the past (the form shows it), an unknown filter
        // (validation says where, submission is a 400).
        let pastWindow = Self.object(result["bad_window"])
        #expect(pastWindow["form_valid"] as? Bool == false, "\(pastWindow)")
        #expect(((pastWindow["error_paths"] as? [String]) ?? []).contains { $0.hasPrefix("requests.0.windows.") }, "\(pastWindow)")
        let unknownFilter = Self.object(result["bad_filter"])
        #expect(((unknownFilter["error_paths"] as? [String]) ?? []).contains { $0.hasPrefix("requests.0.configurations.0.") }, "\(unknownFilter)")
        let refusal = Self.object(unknownFilter["submit"])
        #expect(refusal["refused"] as? Bool == true && refusal["status"] as? Int == 400, "\(refusal)")

        // Every telescope's state, under the sites the network has.
        #expect(result["telescope_states_status"] as? Int == 200, "\(result["http"] ?? "")")
        let status = Self.object(Self.object(result["facility_status"])["with_sites"])
        let statusSites = (status["sites"] as? [[String: Any]]) ?? []
        #expect(Set(statusSites.compactMap { $0["code"] as? String }).isSubset(of: siteIDs), "\(status)")
        let telescopes = statusSites.flatMap { ($0["telescopes"] as? [[String: Any]]) ?? [] }
        #expect(telescopes.count == telescopeCount, "\(telescopes.count) telescopes in the facility status, \(telescopeCount) in the network: \(status)")
        #expect(telescopes.allSatisfy { !($0["status"] as? String ?? "").isEmpty }, "\(status)")
    }

    static func object(_ value: Any?) -> [String: Any] { (value as? [String: Any]) ?? [:] }
}

import Foundation
import Persistence
import Reporting
import StarlingCore

/// The simulated night and its two reports (Teide's and the network's), built once and
/// shared by the tests that only read them. Written under `.build/test-output/reporting/night`.
actor BuiltNight {
    struct Built: Sendable {
        let night: SimulatedNight
        let network: ReportFiles
        let teide: ReportFiles
        let folder: String
    }

    static let shared = BuiltNight()
    private var built: Task<Built, any Error>?

    func get() async throws -> Built {
        if let built { return try await built.value }
        let task = Task { try await Self.build() }
        built = task
        return try await task.value
    }

    private static func build() async throws -> Built {
        let folder = try TestOutput.keptFolder("night")
        let night = try await SimulatedNight.make(in: folder + "/data")
        let builder = NightReportBuilder(
            store: night.store, network: night.network, surveyCatalog: night.catalog,
            options: .init(measurer: FrameMeasurer(network: night.network, references: night.references)))
        let network = try ReportWriter().write(
            try await builder.build(night: night.night, site: nil, generatedAt: night.reportTime), to: folder + "/network")
        let teide = try ReportWriter().write(
            try await builder.build(night: night.night, site: "teide", generatedAt: night.reportTime), to: folder + "/teide")
        return Built(night: night, network: network, teide: teide, folder: folder)
    }
}

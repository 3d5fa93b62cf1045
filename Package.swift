// swift-tools-version: 6.1
//
// Starling: a self-running global network of robotic telescopes.
// The module graph follows docs/architecture.md: StarlingCore depends on nothing of ours;
// Sky and Imaging on StarlingCore; the agent modules on those; Orchestration wires the
// agents; the CLI sits on top.

import PackageDescription

/// One set of compiler settings for every Swift target: Swift 6 mode (strict concurrency),
/// plus the upcoming features that keep module surfaces small and explicit.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starling", targets: ["starling"]),
        .library(name: "StarlingCore", targets: ["StarlingCore"]),
        .library(name: "Sky", targets: ["Sky"]),
        .library(name: "Persistence", targets: ["Persistence"]),
        .library(name: "PersistencePostgres", targets: ["PersistencePostgres"]),
        .library(name: "PersistenceTesting", targets: ["PersistenceTesting"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Observatory", targets: ["Observatory"]),
        .library(name: "SkyMaps", targets: ["SkyMaps"]),
        .library(name: "Coordination", targets: ["Coordination"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "Planning", targets: ["Planning"]),
        .library(name: "Requests", targets: ["Requests"]),
        .library(name: "Orchestration", targets: ["Orchestration"]),
        .library(name: "MCPTools", targets: ["MCPTools"]),
        .library(name: "Service", targets: ["Service"]),
        // The parsers' fuzz targets: replayed by the tests, run by libFuzzer in Fuzz/ (scripts/fuzz).
        .library(name: "StarlingFuzzing", targets: ["StarlingFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The HTTP service: Hummingbird without its default traits (no swift-configuration,
        // and fewer rebuilds), SHA-256 for API tokens, Prometheus for /metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The PostgreSQL store, for sites on separate machines (only PersistencePostgres uses it).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Starling as tools for AI agents: the Model Context Protocol's server (MCPTools only).
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        // System libraries from Debian (scripts/install-deps installs them).
        .systemLibrary(name: "CFITSIO", pkgConfig: "cfitsio", providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CERFA", pkgConfig: "erfa", providers: [.apt(["liberfa-dev"])]),
        .systemLibrary(name: "CWCSLIB", pkgConfig: "wcslib", providers: [.apt(["wcslib-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(
            name: "StarlingCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // FITS I/O, world coordinates, image statistics, source detection, PNG previews.
        // The only module that imports CFITSIO, wcslib and zlib (internally).
        .target(
            name: "Imaging",
            dependencies: ["StarlingCore", "CFITSIO", "CWCSLIB", "CZlib"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Sky",
            dependencies: ["StarlingCore", "CERFA"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Persistence",
            dependencies: [
                "StarlingCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The store over PostgreSQL, and opening any store by its location (`sqlite:PATH`,
        // `postgresql://…`). A module of its own so that the agent modules, which see only the
        // Store protocols in Persistence, neither wait for postgres-nio (swift-nio, BoringSSL)
        // to compile nor link it: only the hosts and the command line do.
        .target(
            name: "PersistencePostgres",
            dependencies: [
                "StarlingCore", "Persistence",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Only to tell the pool's errors apart (a server that stays unreachable).
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // A throwaway PostgreSQL server for tests and benchmarks (Debian's initdb and pg_ctl in
        // a temporary folder), like HummingbirdTesting: a library the test targets share.
        .target(
            name: "PersistenceTesting",
            dependencies: ["Persistence"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Observatory",
            dependencies: [
                "StarlingCore", "Sky", "Imaging", "Persistence",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // HEALPix sky maps (read from FITS through Imaging): credible regions, coverage of
        // footprints, distance layers and host galaxies, candidate fields. Coordination chooses
        // fields with it; Reporting measures what was covered.
        .target(
            name: "SkyMaps",
            dependencies: ["StarlingCore", "Imaging"],
            swiftSettings: strictSettings
        ),
        // Alert formats, the durable intake and its transports, the NetworkCoordinator.
        .target(
            name: "Coordination",
            dependencies: [
                "StarlingCore",
                "Sky",
                "SkyMaps",
                "Persistence",
                "Imaging",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // Frame quality, night reports (HTML, Markdown, JSON), plots, reviews, the Reporter agent.
        .target(
            name: "Reporting",
            dependencies: [
                "StarlingCore", "Sky", "SkyMaps", "Imaging", "Persistence",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Merit, scheduling, the reasoning-model client and the PlannerAgent.
        .target(
            name: "Planning",
            dependencies: [
                "StarlingCore",
                "Sky",
                "Persistence",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // Hosts the four agents on one clock and one store and runs a night of the array.
        // Observers' requests (the OCS request language): validation, proposals' time, states.
        .target(
            name: "Requests",
            dependencies: ["StarlingCore", "Sky", "Coordination"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Orchestration",
            dependencies: [
                "StarlingCore", "Sky", "SkyMaps", "Persistence", "PersistencePostgres", "Observatory", "Planning", "Coordination", "Reporting", "Requests",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Starling's tools for AI agents (the Model Context Protocol): one set of tools and
        // resources over the live network or over the store and configuration, served on stdio
        // by `starling mcp` and over streamable HTTP by `starling serve` (/mcp).
        .target(
            name: "MCPTools",
            dependencies: [
                "StarlingCore", "Sky", "Persistence", "Observatory", "Planning", "Coordination", "Reporting", "Requests", "Orchestration",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // An observer's words to a validated observation request: a reasoning model choosing
        // calls of Starling's MCP tools (`starling ask`).
        .target(
            name: "Assistant",
            dependencies: [
                "StarlingCore", "Planning",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP API, the live event stream, the dashboard and /metrics over the live network.
        .target(
            name: "Service",
            dependencies: [
                "StarlingCore", "Persistence", "Imaging", "Observatory", "Coordination", "Reporting", "Requests", "Orchestration", "MCPTools",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "starling",
            dependencies: [
                "StarlingCore",
                "Sky",
                "Imaging",
                "Persistence",
                "PersistencePostgres",
                "SkyMaps",
                "Coordination",
                "Reporting",
                "Planning",
                "Observatory",
                "Orchestration",
                "MCPTools",
                "Service",
                "Assistant",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),

        // One body per parser that reads outside bytes, with what must hold for any input.
        .target(
            name: "StarlingFuzzing",
            dependencies: ["StarlingCore", "Imaging", "Coordination", "Planning"],
            swiftSettings: strictSettings
        ),
        // What the tests share: child processes that end with their test (Tests/Support).
        .target(
            name: "StarlingTestSupport",
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MCPToolsTests",
            dependencies: [
                "MCPTools", "Sky", "Persistence", "StarlingCore",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RequestsTests",
            dependencies: ["Requests", "StarlingCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StarlingCoreTests",
            dependencies: ["StarlingCore", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkyTests",
            dependencies: ["StarlingTestSupport", "Sky", "StarlingCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StarlingCLITests",
            dependencies: [
                "StarlingTestSupport", "starling", "Imaging", "Persistence", "PersistencePostgres", "PersistenceTesting", "StarlingCore",  // starling: built before its tests run
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OrchestrationTests",
            dependencies: [
                "Orchestration", "Observatory", "Persistence", "PersistencePostgres", "PersistenceTesting", "Reporting", "StarlingCore", "Coordination",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ObservatoryTests",
            dependencies: [
                "StarlingTestSupport", "Observatory", "StarlingCore", "Sky", "Imaging", "Persistence",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReportingTests",
            dependencies: [
                "StarlingTestSupport", "Reporting", "SkyMaps", "Imaging", "Persistence", "Sky", "StarlingCore",
                .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "StarlingTestSupport", "Planning", "Sky", "StarlingCore", "Persistence",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "MCPTools", "Assistant", "Planning", "StarlingTestSupport", "Observatory", "Orchestration", "Persistence", "PersistencePostgres",
                "PersistenceTesting", "StarlingCore", "starling",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The browser tests, the TOM Toolkit test and the MCP client tests run these scripts from
            // the source tree (BrowserSupport.swift, TOMToolkitTests.swift, MCPClientTests.swift).
            exclude: ["Browser", "TOM", "MCP"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PersistenceTests",
            dependencies: [
                "Persistence", "PersistencePostgres", "PersistenceTesting", "StarlingCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: [
                "Imaging",
                "StarlingCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkyMapsTests",
            dependencies: ["SkyMaps", "StarlingCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CoordinationTests",
            dependencies: [
                "StarlingTestSupport", "Coordination", "SkyMaps", "Persistence", "StarlingCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StarlingFuzzingTests",
            dependencies: ["StarlingFuzzing", "StarlingCore"],
            swiftSettings: strictSettings
        ),
    ]
)

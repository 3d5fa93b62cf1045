// swift-tools-version: 6.1
//
// Starling's benchmarks: a separate package so that `make test` never compiles them.
// Each benchmark is an executable that builds its input (with a fixed seed), times
// Starling on it, runs the peer tool (astropy, astroplan, sep, SExtractor, CBC, nginx) on the same
// input in the same run, and prints the ratio. `make bench` builds them in release mode and
// runs them all (see `run`).

import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "StarlingBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Starling", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .target(name: "BenchmarkSupport", swiftSettings: settings),
        .executableTarget(
            name: "SkyBenchmark",
            dependencies: ["BenchmarkSupport", .product(name: "Sky", package: "Starling"), .product(name: "StarlingCore", package: "Starling")],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "CoordinationBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "Coordination", package: "Starling"), .product(name: "Persistence", package: "Starling"),
                .product(name: "SkyMaps", package: "Starling"), .product(name: "StarlingCore", package: "Starling"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "GWCoverageBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "Coordination", package: "Starling"), .product(name: "Sky", package: "Starling"),
                .product(name: "SkyMaps", package: "Starling"), .product(name: "StarlingCore", package: "Starling"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(name: "ImagingBenchmark", dependencies: ["BenchmarkSupport", .product(name: "Imaging", package: "Starling")], swiftSettings: settings),
        .executableTarget(name: "ReportingBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "Reporting", package: "Starling"), .product(name: "Persistence", package: "Starling"),
                .product(name: "Imaging", package: "Starling"), .product(name: "Sky", package: "Starling"),
                .product(name: "StarlingCore", package: "Starling"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "ObservatoryBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "Observatory", package: "Starling"), .product(name: "Imaging", package: "Starling"),
                .product(name: "Sky", package: "Starling"), .product(name: "StarlingCore", package: "Starling"),
                .product(name: "Planning", package: "Starling"), .product(name: "Persistence", package: "Starling"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "NightBenchmark",
            dependencies: [
                .product(name: "Orchestration", package: "Starling"), .product(name: "Observatory", package: "Starling"),
                .product(name: "StarlingCore", package: "Starling"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(name: "RequestBenchmark", dependencies: ["BenchmarkSupport"], swiftSettings: settings),
        .executableTarget(
            name: "ServiceBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["paced.lua"],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "StoreBenchmark",
            dependencies: [
                .product(name: "Persistence", package: "Starling"), .product(name: "PersistencePostgres", package: "Starling"),
                .product(name: "PersistenceTesting", package: "Starling"), .product(name: "StarlingCore", package: "Starling"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "PlanningBenchmark",
            dependencies: [
                "BenchmarkSupport", .product(name: "Planning", package: "Starling"), .product(name: "Sky", package: "Starling"),
                .product(name: "StarlingCore", package: "Starling"),
            ],
            swiftSettings: settings
        ),
    ]
)

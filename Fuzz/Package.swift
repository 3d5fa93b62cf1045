// swift-tools-version: 6.1
//
// libFuzzer executables over Starling's parsers, built and run by scripts/fuzz with
// `swift build -c release --sanitize fuzzer`. A separate package, so that neither
// `swift build` nor `make test` compiles them; the tests replay the same targets without
// libFuzzer (Tests/StarlingFuzzingTests).

import PackageDescription

let package = Package(
    name: "StarlingFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Starling", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "starling-fuzz",
            dependencies: [.product(name: "StarlingFuzzing", package: "Starling")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)

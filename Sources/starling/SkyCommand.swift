import ArgumentParser

extension Starling {
    /// `starling sky …`: where things are in the sky, from the array's sites.
    struct Sky: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Night windows, target visibility and batch positions, computed with ERFA.",
            subcommands: [SkyNight.self, SkyTarget.self, SkyPositions.self])
    }
}

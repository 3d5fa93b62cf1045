import ArgumentParser

/// The `starling` command: runs and inspects a self-running network of robotic telescopes.
@main
struct Starling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "Run a global network of robotic telescopes: plan, observe, follow up alerts, report.",
        discussion: """
            Configuration lives in sites/ (observatories and telescopes), catalogs/ (targets) and \
            simulations/ (scenarios) under the project folder, found from the current folder upwards \
            or given with --config.
            """,
        version: "0.1.0",
        subcommands: [Sites.self, Catalog.self, Validate.self, Sky.self, Plan.self, Observe.self, Night.self, Serve.self, Token.self, Fits.self, Alert.self, Report.self, ReviewCommand.self]
    )
}

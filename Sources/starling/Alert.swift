import ArgumentParser

extension Starling {
    /// `starling alert …`: read notices and take them in.
    struct Alert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read transient alert notices, plan their follow-up, and take them in from a feed.",
            discussion: """
                Notices come as VOEvent XML (2.0 and 1.1), GCN Kafka JSON, IGWN gravitational-wave \
                JSON, survey-broker JSON (ZTF, LSST, ANTARES) or a target of opportunity. See docs/alerts.md.
                """,
            subcommands: [Parse.self, Plan.self, Listen.self, Pointings.self]
        )
    }
}

public import StarlingCore

// MARK: - Sky-map coverage

extension NightReport {
    /// What a follow-up of a sky-map alert covered of its map: the probability inside the
    /// planned fields and inside the frames taken, each part of the sky counted once, per
    /// telescope and in total, with each telescope's real field of view.
    public struct Coverage: Sendable, Hashable, Codable {
        /// The map's 50 % and 90 % credible regions.
        public var credibleAreas: [CredibleArea]
        /// The credible level whose region the fields' centres are counted inside (0.9).
        public var credibleLevel: Double
        /// The galaxy catalog's completeness in the event's volume, 0…1 (3-D); `nil` when the
        /// map has no distance layers.
        public var catalogCompleteness: Double?
        /// The fields the coordinator planned (each field once, at its target, with the field
        /// of view of the telescope it was last given to).
        public var planned: CoverageFigures
        /// The light frames taken under the alert's follow-ups (at each frame's pointing).
        public var done: CoverageFigures
        /// The same per telescope.
        public var byTelescope: [TelescopeCoverage]
        /// What the plot of the localisation shows.
        public var plot: CoveragePlot
    }

    /// A credible region's area.
    public struct CredibleArea: Sendable, Hashable, Codable {
        /// The level, 0…1 (0.9 for the 90 % region).
        public var level: Double
        public var areaSquareDegrees: Double
    }

    /// The coverage of a set of footprints.
    public struct CoverageFigures: Sendable, Hashable, Codable {
        /// How many footprints (fields planned, or frames taken).
        public var footprints: Int
        /// The map's probability inside their union (2-D), 0…1.
        public var probability: Double
        /// The host probability inside their union with the map's distance layers and the
        /// galaxy catalog (3-D), 0…1; `nil` without distance layers.
        public var probabilityWithDistance: Double?
        /// The solid angle of their union, square degrees.
        public var areaSquareDegrees: Double
        /// How many of them are centred inside the ``Coverage/credibleLevel`` region.
        public var centresInsideRegion: Int
    }

    /// One telescope's part of a follow-up's coverage.
    public struct TelescopeCoverage: Sendable, Hashable, Codable {
        public var telescopeID: TelescopeID
        public var siteID: SiteID?
        public var planned: CoverageFigures
        public var done: CoverageFigures
    }

    /// The localisation plot's content: the credible contours and the footprints around the
    /// map's most probable direction, in a gnomonic projection of the given half-width.
    public struct CoveragePlot: Sendable, Hashable, Codable {
        public var centerRightAscensionDegrees: Double
        public var centerDeclinationDegrees: Double
        public var halfWidthDegrees: Double
        public var contours: [Contour]
        public var footprints: [FootprintOutline]
    }

    /// A credible region's boundary as line segments `[ra₁, dec₁, ra₂, dec₂]`, degrees.
    public struct Contour: Sendable, Hashable, Codable {
        public var level: Double
        public var segments: [[Double]]
    }

    /// A footprint's corners `[ra, dec]`, degrees, and whether a frame was taken there (or it was only planned).
    public struct FootprintOutline: Sendable, Hashable, Codable {
        public var telescopeID: TelescopeID
        public var isDone: Bool
        public var corners: [[Double]]
    }
}

/// A source as the renderer places it on the detector: the truth behind a rendered frame,
/// for tests and for comparing renderers.
public struct RenderedSource: Sendable, Hashable {
    /// The centre at mid-exposure, 0-based pixels (pixel centres at integers).
    public let x: Double
    public let y: Double
    /// The expected total signal, e⁻ (after extinction, clouds and the open fraction).
    public let electrons: Double
    /// The galaxy's name, or `nil` for a star.
    public let galaxyName: String?

    public init(x: Double, y: Double, electrons: Double, galaxyName: String? = nil) {
        self.x = x
        self.y = y
        self.electrons = electrons
        self.galaxyName = galaxyName
    }
}

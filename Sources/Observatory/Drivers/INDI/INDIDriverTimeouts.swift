/// How long the INDI drivers wait for each kind of operation before failing with
/// ``DriverError`` `.timeout`.
///
/// The defaults suit Debian's simulators (a slew across the sky takes about 15 s, a park
/// about 15 s, the dome shutter 6 s, a 1280×1024 frame arrives within a second of the
/// exposure's end) with a wide margin for real hardware; tighten them per site.
public struct INDIDriverTimeouts: Sendable, Hashable {
    /// For a command the device acknowledges at once (tracking on, a coordinate mode).
    public var command: Duration
    /// For a slew to finish.
    public var slew: Duration
    /// For a park or unpark to finish.
    public var park: Duration
    /// For a dome shutter (or roof) to open or close, or the dome to turn.
    public var enclosure: Duration
    /// For a focuser move.
    public var focuser: Duration
    /// For a filter change.
    public var filterWheel: Duration
    /// Added to the exposure time for readout and transfer of the frame.
    public var readout: Duration

    public init(
        command: Duration = .seconds(15), slew: Duration = .seconds(240), park: Duration = .seconds(240),
        enclosure: Duration = .seconds(180), focuser: Duration = .seconds(120), filterWheel: Duration = .seconds(60),
        readout: Duration = .seconds(60)
    ) {
        self.command = command
        self.slew = slew
        self.park = park
        self.enclosure = enclosure
        self.focuser = focuser
        self.filterWheel = filterWheel
        self.readout = readout
    }
}

public import StarlingCore

/// What the INDI device drivers share: a device on a client that all of one telescope's
/// drivers use, and the kind of device Starling sees it as (errors name that kind).
///
/// Connecting connects the client (once: later calls return at once) and then the device
/// (its `CONNECTION` switch); every operation calls `connectDevice` again, which is a no-op
/// while connected and reconnects a device whose driver was restarted. Disconnecting one
/// device leaves the client alone: the other devices of the telescope still use it.
public protocol INDIDeviceDriver: Sendable {
    /// The client this telescope's drivers share.
    var client: INDIClient { get }
    /// The INDI device name, e.g. `Dome Simulator`.
    var device: String { get }
    /// What Starling sees the device as.
    static var deviceKind: DeviceKind { get }
}

extension INDIDeviceDriver {
    public func connect() async throws(DriverError) {
        try await client.connect(for: Self.deviceKind)
        try await client.connectDevice(device, kind: Self.deviceKind)
    }

    public func disconnect() async {}
}

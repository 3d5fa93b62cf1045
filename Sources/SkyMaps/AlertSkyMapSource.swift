public import Foundation
public import StarlingCore

/// Gives the sky map of an alert: the seam between what needs maps (reports) and what knows
/// where notices keep them (Coordination's `SkyMapLoader`: embedded in the notice, on disk, or
/// on the web).
public protocol AlertSkyMapSource: Sendable {
    /// The sky map of an alert whose error region is a ``StarlingCore/Alert/ErrorRegion/skyMap(_:)``.
    ///
    /// - Parameters:
    ///   - alert: the alert.
    ///   - raw: the notice as received (maps can be embedded in it).
    /// - Throws: ``SkyMapError`` when the map cannot be had or read.
    func skyMap(for alert: Alert, raw: Data) async throws(SkyMapError) -> HEALPixSkyMap
}

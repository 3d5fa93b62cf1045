import Foundation
import Sky
import StarlingCore

@testable import Planning

enum PlanningTestSupport {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let layout = ProjectLayout(root: packageRoot)
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The shipped network (sites/).
    static func network() throws -> ObservatoryNetwork { try layout.loadNetwork() }

    /// A random catalog: uniform on the sphere, priorities 0…10, some with a cadence.
    static func randomCatalog(count: Int, seed: UInt64) throws -> [Target] {
        var random = SeededGenerator(seed: seed)
        return try (0..<count).map { index in
            let coordinates = try EquatorialCoordinates(
                rightAscensionDegrees: 360 * random.nextUnit(), declinationDegrees: asin(2 * random.nextUnit() - 1) * 180 / .pi)
            return Target(
                id: TargetID("t\(index)"), name: "T \(index)", coordinates: coordinates, kind: .galaxy, priority: (10 * random.nextUnit()).rounded(),
                cadenceNights: random.nextUnit() < 0.5 ? 3 : nil)
        }
    }

    /// A random site: anywhere below 65° of latitude, a time zone from its longitude, a random
    /// horizon mask, one sitian-like telescope with overheads.
    static func randomSite(seed: UInt64, telescope: Telescope) throws -> Site {
        var random = SeededGenerator(seed: seed)
        let latitude = -60 + 120 * random.nextUnit(), longitude = -180 + 360 * random.nextUnit()
        let location = try GeodeticLocation(latitude: .degrees(latitude), longitude: .degrees(longitude), elevationMeters: 3000 * random.nextUnit())
        let points = (0..<Int(3 + random.next() % 5)).map { _ in
            HorizonMask.Point(azimuth: .degrees(360 * random.nextUnit()), altitude: .degrees(45 * random.nextUnit()))
        }
        let zone = TimeZone(secondsFromGMT: Int((longitude / 15).rounded()) * 3600)!
        return Site(id: SiteID("random-\(seed)"), name: "Random \(seed)", location: location, timeZone: zone, horizonMask: HorizonMask(points: points), telescopes: [telescope])
    }

    /// The Xinglong survey telescope design (sites/models.yaml: sitian-1m).
    static let surveyTelescope = Telescope(
        id: "test-1m", name: "Test 1-m", apertureMeters: 1, focalLengthMillimeters: 3000,
        camera: Camera(name: "CCD", widthPixels: 4096, heightPixels: 4112, pixelSizeMicrons: 15, gain: 1.6, readNoise: 5.5, fullWell: 350_000, readoutSeconds: 10),
        filters: [Filter("g"), Filter("r"), Filter("i")],
        mount: MountModel(slewRateDegreesPerSecond: 6, accelerationDegreesPerSecondSquared: 2, settleSeconds: 5, minimumAltitude: .degrees(15)),
        filterChangeSeconds: 8)

    /// Survey requests for a catalog, with exposure lengths and filters drawn from a seed.
    static func requests(for targets: [Target], seed: UInt64, mixed: Bool) -> [ObservationRequest] {
        var random = SeededGenerator(seed: seed)
        return targets.map { target in
            let filter = mixed ? ["g", "r", "i"][Int(random.next() % 3)] : "r"
            let exposure = mixed ? [120.0, 300, 600][Int(random.next() % 3)] : 300
            return ObservationRequest(
                id: RequestID("survey:\(target.id)"), target: target, exposures: [ExposureSpec(filter: Filter(filter), exposureSeconds: exposure)],
                priority: target.priority)
        }
    }
}

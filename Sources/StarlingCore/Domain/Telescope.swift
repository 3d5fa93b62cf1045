import Foundation
/// A telescope and everything needed to plan for it, drive it and simulate it.
public struct Telescope: Sendable, Hashable, Codable, Identifiable {
    public let id: TelescopeID
    /// Human-readable name, e.g. "Xinglong 1-m survey telescope A".
    public let name: String
    /// Clear aperture, metres.
    public let apertureMeters: Double
    /// Effective focal length, millimetres.
    public let focalLengthMillimeters: Double
    /// The science camera.
    public let camera: Camera
    /// Filters in the wheel, in slot order.
    public let filters: [Filter]
    /// How the mount moves.
    public let mount: MountModel
    /// The dome or roof around the telescope.
    public let enclosure: EnclosureModel
    /// Seconds to change filter.
    public let filterChangeSeconds: Double
    /// Overall throughput of optics, filter and detector QE (0…1), for exposure-time and depth estimates.
    public let throughput: Double
    /// The safety limits the telescope agent enforces.
    public let safety: SafetyPolicy
    /// Which driver runs the devices, and its settings.
    public let driver: DriverConfiguration

    public init(
        id: TelescopeID, name: String, apertureMeters: Double, focalLengthMillimeters: Double, camera: Camera,
        filters: [Filter], mount: MountModel = MountModel(), enclosure: EnclosureModel = EnclosureModel(),
        filterChangeSeconds: Double = 10, throughput: Double = 0.6, safety: SafetyPolicy = SafetyPolicy(),
        driver: DriverConfiguration = .simulator
    ) {
        self.id = id
        self.name = name
        self.apertureMeters = apertureMeters
        self.focalLengthMillimeters = focalLengthMillimeters
        self.camera = camera
        self.filters = filters
        self.mount = mount
        self.enclosure = enclosure
        self.filterChangeSeconds = filterChangeSeconds
        self.throughput = throughput
        self.safety = safety
        self.driver = driver
    }

    /// Plate scale on the detector: 206 265″ × pixel size / focal length.
    public var pixelScale: Angle {
        .arcseconds(206_264.806 * camera.pixelSizeMicrons * 1e-3 / focalLengthMillimeters)
    }

    /// Field of view along the detector's width.
    public var fieldWidth: Angle { pixelScale * Double(camera.widthPixels) }
    /// Field of view along the detector's height.
    public var fieldHeight: Angle { pixelScale * Double(camera.heightPixels) }
    /// Focal ratio (focal length / aperture).
    public var focalRatio: Double { focalLengthMillimeters / (apertureMeters * 1000) }

    /// The filter with the given name, if the wheel has it.
    public func filter(named name: String) -> Filter? { filters.first { $0.name == name } }

    /// The filter a user named: the one of that exact name, else the only one whose name
    /// matches ignoring case (`R` finds `r` on a wheel without `R`).
    ///
    /// - Throws: ``UnknownNameError`` when no filter matches (with a suggestion when the name
    ///   looks like a typo) or several match ignoring case.
    public func filter(matching name: String) throws(UnknownNameError) -> Filter {
        let typed = name.trimmingWhitespace()
        if let exact = filter(named: typed) { return exact }
        let folded = filters.filter { $0.name.lowercased() == typed.lowercased() }
        if folded.count == 1 { return folded[0] }
        throw UnknownNameError(kind: "filter", name: typed, scope: "on \(id)", known: filters.map(\.name), candidates: folded.map(\.name))
    }

    /// Detected electrons per second from a magnitude-0 source in a band, above the
    /// atmosphere: N₀ · π(D/2)² · throughput.
    public func zeroMagnitudeElectronRate(in band: PhotometricBand) -> Double {
        band.zeroMagnitudePhotonRate * Double.pi * apertureMeters * apertureMeters / 4 * throughput
    }

    /// The cloud-free photometric zero point (the magnitude giving 1 ADU/s) at an airmass:
    /// 2.5 log₁₀(N₀ π(D/2)² τ / gain) − k X. The simulator writes it as `MAGZPT`; the
    /// Reporter falls back on it for frames without reference stars.
    public func cloudFreeZeroPoint(in band: PhotometricBand, airmass: Double) -> Double {
        2.5 * log10(zeroMagnitudeElectronRate(in: band) / camera.gain) - band.extinctionPerAirmass * airmass
    }
}

/// A science camera.
public struct Camera: Sendable, Hashable, Codable {
    /// Model name, e.g. "e2v CCD231-84".
    public let name: String
    public let widthPixels: Int
    public let heightPixels: Int
    /// Pixel pitch, micrometres.
    public let pixelSizeMicrons: Double
    /// Conversion gain, electrons per ADU.
    public let gain: Double
    /// Read noise, electrons RMS.
    public let readNoise: Double
    /// Full-well capacity, electrons.
    public let fullWell: Double
    /// Seconds to read the full frame out.
    public let readoutSeconds: Double
    /// Dark current at operating temperature, electrons per pixel per second.
    public let darkCurrent: Double
    /// Operating temperature, °C (written as CCD-TEMP).
    public let temperatureCelsius: Double

    public init(
        name: String, widthPixels: Int, heightPixels: Int, pixelSizeMicrons: Double, gain: Double,
        readNoise: Double, fullWell: Double, readoutSeconds: Double, darkCurrent: Double = 0.002,
        temperatureCelsius: Double = -100
    ) {
        self.name = name
        self.widthPixels = widthPixels
        self.heightPixels = heightPixels
        self.pixelSizeMicrons = pixelSizeMicrons
        self.gain = gain
        self.readNoise = readNoise
        self.fullWell = fullWell
        self.readoutSeconds = readoutSeconds
        self.darkCurrent = darkCurrent
        self.temperatureCelsius = temperatureCelsius
    }

    /// The largest value a pixel can record, ADU (16-bit converter).
    public var saturationADU: Double { min(65_535, fullWell / gain) }
}

/// How a mount moves: a trapezoidal velocity profile per axis, then a settle.
public struct MountModel: Sendable, Hashable, Codable {
    /// Peak slew rate, degrees per second.
    public let slewRateDegreesPerSecond: Double
    /// Acceleration, degrees per second².
    public let accelerationDegreesPerSecondSquared: Double
    /// Seconds to settle after a slew before an exposure may start.
    public let settleSeconds: Double
    /// The lowest altitude the mount will point at (its own limit, apart from the horizon mask).
    public let minimumAltitude: Angle
    /// Mount geometry.
    public let kind: Kind

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case equatorial, altAzimuth = "alt-azimuth"
    }

    public init(
        slewRateDegreesPerSecond: Double = 5, accelerationDegreesPerSecondSquared: Double = 2,
        settleSeconds: Double = 5, minimumAltitude: Angle = .degrees(15), kind: Kind = .equatorial
    ) {
        self.slewRateDegreesPerSecond = slewRateDegreesPerSecond
        self.accelerationDegreesPerSecondSquared = accelerationDegreesPerSecondSquared
        self.settleSeconds = settleSeconds
        self.minimumAltitude = minimumAltitude
        self.kind = kind
    }

    /// Seconds to move both axes at once through these angles (no settle): the axis with
    /// the larger angle sets the time. The first axis (hour angle or azimuth) goes the
    /// shorter way round.
    public func moveSeconds(firstAxisDegrees first: Double, secondAxisDegrees second: Double) -> Double {
        axisMoveSeconds(.degrees(Self.largerAxisDegrees(first, second)))
    }

    /// Seconds to move between two positions on this mount's own axes (no settle): hour
    /// angle and declination for an equatorial mount (Δ hour angle = −Δ right ascension, at
    /// any instant), azimuth and altitude at the instant of the move for an alt-azimuth mount.
    public func moveSeconds(from: MountPosition, to: MountPosition) -> Double {
        axisMoveSeconds(.degrees(largerAxisDegrees(from: from, to: to)))
    }

    /// The larger of the two axis moves between two positions, degrees (the first axis the
    /// shorter way round).
    public func largerAxisDegrees(from: MountPosition, to: MountPosition) -> Double {
        switch kind {
        case .equatorial:
            Self.largerAxisDegrees(
                to.equatorial.rightAscension.degrees - from.equatorial.rightAscension.degrees,
                to.equatorial.declination.degrees - from.equatorial.declination.degrees)
        case .altAzimuth:
            Self.largerAxisDegrees(
                to.horizontal.azimuth.degrees - from.horizontal.azimuth.degrees, to.horizontal.altitude.degrees - from.horizontal.altitude.degrees)
        }
    }

    /// A mount within this of its target on both axes is on it: no slew and no settle, degrees (1″).
    public static let onTargetDegrees = 1.0 / 3600

    static func largerAxisDegrees(_ first: Double, _ second: Double) -> Double {
        var firstAngle = abs(first).truncatingRemainder(dividingBy: 360)
        if firstAngle > 180 { firstAngle = 360 - firstAngle }
        return max(firstAngle, abs(second))
    }

    /// Seconds to move one axis through an angle with this profile (no settle): the
    /// trapezoid, or a triangle when the move is too short to reach full rate.
    public func axisMoveSeconds(_ angle: Angle) -> Double {
        let distance = abs(angle.degrees)
        guard distance > 0 else { return 0 }
        let rate = slewRateDegreesPerSecond, acceleration = accelerationDegreesPerSecondSquared
        let rampDistance = rate * rate / acceleration  // accelerate and decelerate together
        if distance <= rampDistance { return 2 * (distance / acceleration).squareRoot() }
        return 2 * rate / acceleration + (distance - rampDistance) / rate
    }
}

/// The dome or roof around a telescope.
public struct EnclosureModel: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case dome, rollOffRoof = "roll-off-roof", clamshell
    }

    public let kind: Kind
    /// Seconds to open the shutter or roof.
    public let openSeconds: Double
    /// Seconds to close it.
    public let closeSeconds: Double
    /// Dome azimuth rotation rate, degrees per second (ignored for roofs).
    public let rotationDegreesPerSecond: Double

    public init(kind: Kind = .dome, openSeconds: Double = 60, closeSeconds: Double = 60, rotationDegreesPerSecond: Double = 4) {
        self.kind = kind
        self.openSeconds = openSeconds
        self.closeSeconds = closeSeconds
        self.rotationDegreesPerSecond = rotationDegreesPerSecond
    }
}

/// The limits a telescope agent enforces whatever the plan or the driver says.
public struct SafetyPolicy: Sendable, Hashable, Codable {
    /// No pointing closer than this to the Sun.
    public let sunAvoidance: Angle
    /// The enclosure opens only while the Sun is below this altitude.
    public let maximumSunAltitudeForOpening: Angle
    /// Seconds without weather data after which the weather counts as unsafe.
    public let weatherDataGraceSeconds: Double
    /// Seconds within which the enclosure must be closed once the weather turns unsafe.
    public let closeDeadlineSeconds: Double
    /// Seconds without contact with the controller after which the telescope parks and closes.
    public let lostContactSeconds: Double

    public init(
        sunAvoidance: Angle = .degrees(30), maximumSunAltitudeForOpening: Angle = .degrees(-3),
        weatherDataGraceSeconds: Double = 120, closeDeadlineSeconds: Double = 90, lostContactSeconds: Double = 300
    ) {
        self.sunAvoidance = sunAvoidance
        self.maximumSunAltitudeForOpening = maximumSunAltitudeForOpening
        self.weatherDataGraceSeconds = weatherDataGraceSeconds
        self.closeDeadlineSeconds = closeDeadlineSeconds
        self.lostContactSeconds = lostContactSeconds
    }
}

/// Which driver runs a telescope's devices.
public enum DriverConfiguration: Sendable, Hashable, Codable {
    /// Starling's coupled simulator.
    case simulator
    /// An INDI server and the device names on it.
    case indi(INDIConfiguration)
    /// An ASCOM Alpaca server and the device numbers on it.
    case alpaca(AlpacaConfiguration)

    /// The driver's short name, as written in config (`simulator`, `indi`, `alpaca`).
    public var kindName: String {
        switch self {
        case .simulator: "simulator"
        case .indi: "indi"
        case .alpaca: "alpaca"
        }
    }
}

/// Where an INDI server is and what its devices are called.
public struct INDIConfiguration: Sendable, Hashable, Codable {
    public var host: String
    public var port: Int
    public var mountDevice: String
    public var cameraDevice: String
    public var focuserDevice: String?
    public var filterWheelDevice: String?
    public var domeDevice: String?
    public var weatherDevice: String?

    /// The INDI simulators' device names, as Debian's indi-bin names them.
    public init(
        host: String = "127.0.0.1", port: Int = 7624, mountDevice: String = "Telescope Simulator",
        cameraDevice: String = "CCD Simulator", focuserDevice: String? = "Focuser Simulator",
        filterWheelDevice: String? = "Filter Simulator", domeDevice: String? = "Dome Simulator",
        weatherDevice: String? = "Weather Simulator"
    ) {
        self.host = host
        self.port = port
        self.mountDevice = mountDevice
        self.cameraDevice = cameraDevice
        self.focuserDevice = focuserDevice
        self.filterWheelDevice = filterWheelDevice
        self.domeDevice = domeDevice
        self.weatherDevice = weatherDevice
    }
}

/// Where an ASCOM Alpaca server is and which device numbers to use.
public struct AlpacaConfiguration: Sendable, Hashable, Codable {
    public var host: String
    public var port: Int
    public var telescopeNumber: Int
    public var cameraNumber: Int
    public var focuserNumber: Int?
    public var filterWheelNumber: Int?
    public var domeNumber: Int?
    public var observingConditionsNumber: Int?
    public var safetyMonitorNumber: Int?

    public init(
        host: String = "127.0.0.1", port: Int = 11111, telescopeNumber: Int = 0, cameraNumber: Int = 0,
        focuserNumber: Int? = 0, filterWheelNumber: Int? = 0, domeNumber: Int? = 0,
        observingConditionsNumber: Int? = 0, safetyMonitorNumber: Int? = 0
    ) {
        self.host = host
        self.port = port
        self.telescopeNumber = telescopeNumber
        self.cameraNumber = cameraNumber
        self.focuserNumber = focuserNumber
        self.filterWheelNumber = filterWheelNumber
        self.domeNumber = domeNumber
        self.observingConditionsNumber = observingConditionsNumber
        self.safetyMonitorNumber = safetyMonitorNumber
    }
}

import Foundation
import Testing

@testable import Sky
@testable import StarlingCore

enum SkyTestPaths {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let layout = ProjectLayout(root: packageRoot)
    static let sharedData: String = URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path
    static let referenceFile = sharedData + "/astro_reference.json"
    static var hasReference: Bool { FileManager.default.fileExists(atPath: referenceFile) }
}

/// The astropy reference values in ../shared/data/astro_reference.json.
struct AstroReference: Decodable {
    struct SiteEntry: Decodable {
        let latitude: Double
        let longitude: Double
        let elevation: Double
    }

    struct Moon: Decodable {
        let alt_no_refraction: Double
        let illuminated_fraction: Double
        let separation_from_target_deg: Double
        let tete_ra: Double
        let tete_dec: Double
        let distance_km: Double
    }

    struct Case: Decodable, CustomStringConvertible {
        let id: String
        let site: String
        let utc: String
        let target: String
        let ra_icrs: Double
        let dec_icrs: Double
        let gmst_deg: Double
        let last_deg: Double
        let ra_apparent_tete: Double
        let dec_apparent_tete: Double
        let hour_angle_deg: Double
        let alt_no_refraction: Double
        let az_no_refraction: Double
        let alt_refraction: Double
        let az_refraction: Double
        let refraction_meaningful: Bool
        let airmass_secz: Double?
        let airmass_kasten_young: Double?
        let sun_alt_no_refraction: Double
        let sun_az_no_refraction: Double
        let moon: Moon
        var description: String { "\(id) \(target) at \(site)" }
    }

    struct Twilight: Decodable, CustomStringConvertible {
        let site: String
        let local_date: String
        let window_start_utc: String
        let sunset_utc: String?
        let sunrise_utc: String?
        let evening_nautical_utc: String?
        let morning_nautical_utc: String?
        let evening_astronomical_utc: String?
        let morning_astronomical_utc: String?
        var description: String { "\(site) \(local_date)" }
    }

    let sites: [String: SiteEntry]
    let cases: [Case]
    let twilight: [Twilight]

    static let loaded: AstroReference? = {
        guard let data = FileManager.default.contents(atPath: SkyTestPaths.referenceFile) else { return nil }
        return try? JSONDecoder().decode(AstroReference.self, from: data)
    }()

    func location(_ site: String) throws -> GeodeticLocation {
        let entry = try #require(sites[site])
        return try GeodeticLocation(latitude: .degrees(entry.latitude), longitude: .degrees(entry.longitude), elevationMeters: entry.elevation)
    }
}

/// Difference of two angles in degrees, wrapped to −180…180.
func wrappedDifference(_ a: Double, _ b: Double) -> Double {
    var d = (a - b).truncatingRemainder(dividingBy: 360)
    if d > 180 { d -= 360 }
    if d < -180 { d += 360 }
    return d
}

import ArgumentParser
import Foundation
import StarlingCore

extension Starling {
    struct Sites: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the array: every site and its telescopes.",
            discussion: "Sites are listed west to east with latitude, longitude (east positive), elevation and time zone.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            if options.json {
                try printJSON(SitesDocument(network))
                return
            }
            var table = TextTable(
                headers: ["site", "name", "latitude", "longitude", "elevation", "time zone", "telescopes"], rightAligned: [2, 3, 4])
            for site in network.sites {
                table.append([
                    site.id.rawValue, site.name,
                    Sexagesimal.format(site.location.latitude, unit: .degrees, secondsDecimals: 0),
                    Sexagesimal.format(site.location.longitude, unit: .degrees, secondsDecimals: 0),
                    "\(Int(site.location.elevationMeters.rounded())) m", site.timeZone.identifier,
                    site.telescopes.map(\.id.rawValue).joined(separator: " "),
                ])
            }
            print(table.render())
            print("\(network.sites.count) sites, \(network.telescopeCount) telescopes")
        }
    }
}

/// The JSON shape of `starling sites --json` (documented in docs/cli.md).
struct SitesDocument: Encodable {
    struct SiteEntry: Encodable {
        let id: String
        let name: String
        let latitude_deg: Double
        let longitude_deg: Double
        let elevation_m: Double
        let timezone: String
        let source: String
        let telescopes: [TelescopeEntry]
    }

    struct TelescopeEntry: Encodable {
        let id: String
        let name: String
        let aperture_m: Double
        let focal_length_mm: Double
        let pixel_scale_arcsec: Double
        let field_of_view_deg: [Double]
        let camera: String
        let filters: [String]
        let driver: String
    }

    let site_count: Int
    let telescope_count: Int
    let sites: [SiteEntry]

    init(_ network: ObservatoryNetwork) {
        site_count = network.sites.count
        telescope_count = network.telescopeCount
        sites = network.sites.map { site in
            SiteEntry(
                id: site.id.rawValue, name: site.name, latitude_deg: site.location.latitude.degrees,
                longitude_deg: site.location.longitude.degrees, elevation_m: site.location.elevationMeters,
                timezone: site.timeZone.identifier, source: site.source,
                telescopes: site.telescopes.map { telescope in
                    TelescopeEntry(
                        id: telescope.id.rawValue, name: telescope.name, aperture_m: telescope.apertureMeters,
                        focal_length_mm: telescope.focalLengthMillimeters,
                        pixel_scale_arcsec: (telescope.pixelScale.arcseconds * 1000).rounded() / 1000,
                        field_of_view_deg: [telescope.fieldWidth.degrees, telescope.fieldHeight.degrees].map { ($0 * 1000).rounded() / 1000 },
                        camera: telescope.camera.name, filters: telescope.filters.map(\.name), driver: telescope.driver.kindName)
                })
        }
    }
}

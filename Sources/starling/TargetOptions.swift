import ArgumentParser
import Foundation
import StarlingCore

/// `--name NAME | --ra DEG --dec DEG`: a target from the catalogs, or a position.
struct TargetOptions: ParsableArguments {
    @Option(help: "A target id or name from catalogs/ (e.g. NGC4258, \"NGC 4258\", M106).")
    var name: String?

    @Option(help: "Right ascension, degrees (ICRS).")
    var ra: Double?

    @Option(parsing: .unconditional, help: "Declination, degrees (ICRS); negative values work as `--dec -69.3`.")
    var dec: Double?

    func validate() throws {
        switch (name, ra, dec) {
        case (.some, nil, nil): break
        case (nil, .some(let ra), .some(let dec)):
            guard (0..<360).contains(ra) else { throw ValidationError("--ra \(ra) is outside 0..<360 degrees") }
            guard (-90...90).contains(dec) else { throw ValidationError("--dec \(dec) is outside -90...90 degrees") }
        default: throw ValidationError("give either --name NAME or both --ra DEG and --dec DEG")
        }
    }

    /// The target, and the catalog it came from (`nil` for a position given by hand).
    func resolve(in layout: ProjectLayout) throws -> (target: Target, catalog: String?) {
        if let name {
            guard let found = try loadOrExit({ () throws(ConfigErrors) in try layout.findTarget(named: name) }) else {
                throw ValidationError("--name: no target '\(name)' in any catalog in \(layout.catalogsDirectory)")
            }
            return (found.target, found.catalog)
        }
        let coordinates = try EquatorialCoordinates(rightAscensionDegrees: ra!, declinationDegrees: dec!)
        let id = TargetID(String(format: "ra%.5f%+.5f", coordinates.rightAscension.degrees, coordinates.declination.degrees))
        return (Target(id: id, name: coordinates.description, coordinates: coordinates, kind: .field), nil)
    }
}

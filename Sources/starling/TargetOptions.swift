import ArgumentParser
import Foundation
import StarlingCore

/// `--name NAME | --ra RA --dec DEC`: a target from the catalogs, or a position.
struct TargetOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A target from catalogs/ by id, name or alias: NGC 4258, ngc4258, M106, UGC 7353, Whirlpool Galaxy.", valueName: "NAME"))
    var name: String?

    @Option(
        help: ArgumentHelp(
            "Right ascension (ICRS): decimal degrees (35.67) or sexagesimal hours (02:22:40, 2h22m40s).", valueName: "RA"))
    var ra: RightAscensionArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Declination (ICRS): decimal degrees (-69.3) or sexagesimal degrees (-69:18:00); negative values work as `--dec -69.3`.",
            valueName: "DEC"))
    var dec: DeclinationArgument?

    func validate() throws {
        switch (name, ra, dec) {
        case (.some, nil, nil), (nil, .some, .some): break
        default: throw ValidationError("give either --name NAME or both --ra RA and --dec DEC")
        }
    }

    /// The target, and the catalog it came from (`nil` for a position given by hand). A
    /// position typed in sexagesimal is echoed on standard error as it was understood.
    func resolve(in layout: ProjectLayout) throws -> (target: Target, catalog: String?) {
        if let name {
            do {
                let found = try layout.resolveTarget(named: name)
                return (found.target, found.catalog)
            } catch let error as UnknownNameError {
                throw ValidationError("--name: \(error.description)")
            } catch let errors as ConfigErrors {
                for problem in errors.errors { printError(problem.description) }
                throw ExitCode(1)
            }
        }
        guard let ra, let dec else { throw ValidationError("give either --name NAME or both --ra RA and --dec DEC") }
        if AngleReading.isSexagesimal(ra.text) { printError("note: \(ra.reading)") }
        if dec.isSexagesimal { printError("note: \(dec.reading)") }
        let coordinates = try EquatorialCoordinates(rightAscension: ra.angle, declination: dec.angle)
        let id = TargetID(String(format: "ra%.5f%+.5f", coordinates.rightAscension.degrees, coordinates.declination.degrees))
        return (Target(id: id, name: coordinates.description, coordinates: coordinates, kind: .field), nil)
    }
}
